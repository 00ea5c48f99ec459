"""Forms of the invoice pages: they parse input only; the services decide what is allowed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import InvoiceType, Vendor
from apps.invoices.models import InvoiceRequest


class ApplyForm(forms.Form):
    """Amount, invoice type, title and address of one application.

    Every rule (amount range and decimals, the invoiceable cap, which titles and addresses are the account's,
    which invoice types the vendor issues) is checked by `invoice_request_check`; the view places its messages
    next to these fields.
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

    def __init__(self, *args, vendor: Vendor, **kwargs):
        super().__init__(*args, **kwargs)
        self.vendor = vendor
        labels = dict(InvoiceType.choices)
        self.invoice_type_choices = [
            (value, labels[value]) for value in vendor.supported_invoice_types if value in labels
        ]

    def value_of(self, name: str) -> str:
        """What the user chose or typed (kept on errors), else the initial value."""
        value = self[name].value()
        return "" if value is None else str(value)

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "vendor_id": self.vendor.pk,
            "amount": data.get("amount") or "",
            "invoice_type": data.get("invoice_type") or None,
            "title_id": data.get("title") or "",
            "address_id": data.get("address") or "",
        }


class ApplyConfirmForm(forms.Form):
    """The confirmed values travel in hidden fields, with the idempotency key made for this confirmation."""

    amount = forms.CharField(widget=forms.HiddenInput, required=False, max_length=32)
    invoice_type = forms.CharField(widget=forms.HiddenInput, required=False, max_length=16)
    title = forms.CharField(widget=forms.HiddenInput, required=False, max_length=20)
    address = forms.CharField(widget=forms.HiddenInput, required=False, max_length=20)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)


class RecordFilterForm(forms.Form):
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

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned

    def filters(self) -> dict:
        """The valid filters only: a wrong date is reported next to its field and otherwise ignored."""
        if not self.is_bound:
            return {}
        self.is_valid()
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
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: the title was wrong. It is kept in the request's timeline."),
    )
