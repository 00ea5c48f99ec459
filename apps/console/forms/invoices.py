"""Forms of the invoice pages: they parse input only; the services decide what is allowed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import CustomerAccount, InvoiceType, Vendor
from apps.addresses.selectors import addresses_for_account
from apps.core.errors import ApplicationError
from apps.core.forms_rendering import PLAIN_WIDGETS
from apps.core.money import parse_page_amount
from apps.core.scope import find_in_scope
from apps.invoices.models import STATUS_REASON_MAX_LENGTH, InvoiceRequest
from apps.titles.selectors import titles_for_account


class ApplyForm(forms.Form):
    """Amount, invoice type, title and address of one application.

    The form turns the text into typed values: the amount into a Decimal (a pasted `¥1,000.50` is read as
    1000.50), the title and address IDs into the account's own objects, or None when there is no such one.
    Every rule (the invoiceable cap, which titles and addresses may be used, which invoice types the vendor
    issues) is checked by `invoice_request_check`; the view places its messages next to these fields.
    """

    amount = forms.CharField(
        label=_("Amount to invoice (¥)"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "placeholder": "0.00"}),
    )
    invoice_type = forms.CharField(label=_("Invoice type"), required=False, max_length=16)
    title = forms.CharField(label=_("Invoice title"), required=False, max_length=20)
    address = forms.CharField(label=_("Mailing address"), required=False, max_length=20)

    def __init__(self, *args, vendor: Vendor, customer_account: CustomerAccount, **kwargs):
        super().__init__(*args, **kwargs)
        self.vendor = vendor
        self.customer_account = customer_account
        labels = dict(InvoiceType.choices)
        self.invoice_type_choices = [
            (value, labels[value]) for value in vendor.supported_invoice_types if value in labels
        ]

    def value_of(self, name: str) -> str:
        """What the user chose or typed (kept on errors), else the initial value."""
        value = self[name].value()
        return "" if value is None else str(value)

    def clean_amount(self):
        try:
            return parse_page_amount(self.cleaned_data["amount"])
        except ApplicationError as error:
            raise forms.ValidationError(str(error.message)) from error

    def clean_title(self):
        return find_in_scope(titles_for_account(customer_account=self.customer_account), self.cleaned_data["title"])

    def clean_address(self):
        addresses = addresses_for_account(customer_account=self.customer_account)
        return find_in_scope(addresses, self.cleaned_data["address"])

    def service_kwargs(self) -> dict:
        """Typed keyword arguments for `invoice_request_check` and `invoice_request_submit` (a valid form only)."""
        data = self.cleaned_data
        return {
            "vendor": self.vendor,
            "amount": data["amount"],
            "invoice_type": data.get("invoice_type") or None,
            "title": data.get("title"),
            "address": data.get("address"),
        }


class ApplyConfirmForm(forms.Form):
    """The confirmed values travel in hidden fields, with the idempotency key made for this confirmation."""

    amount = forms.CharField(widget=forms.HiddenInput, required=False, max_length=32)
    invoice_type = forms.CharField(widget=forms.HiddenInput, required=False, max_length=16)
    title = forms.CharField(widget=forms.HiddenInput, required=False, max_length=20)
    address = forms.CharField(widget=forms.HiddenInput, required=False, max_length=20)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)


class RecordFilterForm(forms.Form):
    default_renderer = PLAIN_WIDGETS  # on the records list, every request: no template per option

    status = forms.ChoiceField(label=_("Status"), required=False)
    vendor = forms.TypedChoiceField(label=_("Vendor"), required=False, coerce=int, empty_value=None)
    date_from = forms.DateField(
        label=_("Submitted from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=_("Submitted to"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, vendors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All statuses")), *InvoiceRequest.Status.choices]
        self.fields["vendor"].choices = [("", _("All vendors")), *((vendor.pk, vendor.name) for vendor in vendors)]
        # Notices for unknown status or vendor values in the link (an old bookmark, a hand-edited URL).
        self.ignored: list[str] = []

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned

    def filters(self) -> dict:
        """The valid filters only: a wrong date is reported next to its field, an unknown status or vendor is
        left out with a notice in `ignored`."""
        if not self.is_bound:
            return {}
        self.is_valid()
        for name in ("status", "vendor"):
            if name in self.errors:
                # Not a typing mistake to correct next to the field: the list shows everything, with a notice.
                value = self.data.get(name, "")
                del self.errors[name]
                # The same words as the vendor queue's notice (templates/backoffice/queue.html).
                self.ignored.append(
                    _("“%(value)s” is not a choice of %(field)s: that filter was ignored.")
                    % {"field": self.fields[name].label, "value": value[:40]}
                )
        data = getattr(self, "cleaned_data", {})
        return {
            "status": data.get("status") or None,
            "vendor_id": data.get("vendor"),
            "submitted_from": data.get("date_from"),
            "submitted_to": data.get("date_to") if "date_to" not in self.errors else None,
        }


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        # The browser stops at the limit; `invoice_request_cancel` refuses a longer reason with its own message.
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": STATUS_REASON_MAX_LENGTH}),
        help_text=_("For example: the title was wrong. It is kept in the request's timeline."),
    )
