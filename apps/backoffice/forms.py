"""Back-office forms parse input only; `apps.invoices.services` and `apps.accounts.services` decide what is allowed."""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.accounts.models import InvoiceType
from apps.core.forms_rendering import PLAIN_WIDGETS
from apps.invoices.mailing import (
    INVOICE_NUMBER_SEPARATORS_HELP,
    MAILING_FILE_REQUIRED_MESSAGE,
    MAILING_IMPORT_MAX_BYTES,
    MAILING_IMPORT_MAX_ROWS,
)
from apps.invoices.models import STATUS_REASON_MAX_LENGTH, Courier, InvoiceRequest, ShippingPayer

SORTS = {
    "due": ("dispatch_due_date", "submitted_at", "id"),
    "-submitted": ("-submitted_at", "-id"),
    "-amount": ("-amount", "dispatch_due_date", "id"),
}


def _date_input() -> forms.DateInput:
    # <input type="date"> takes ISO dates only, whatever the locale's own date format.
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _date(label):
    return forms.DateField(label=label, required=False, widget=_date_input())


# The queue's two views besides one status: what the vendor still owes (the default), and everything.
STATUS_OPEN = "open"
STATUS_ALL = "all"


class FilterChoiceField(forms.ChoiceField):
    """A choice read from the address bar: a value that is not (or no longer) a choice, from an old bookmark or a
    hand-edited link, is ignored with a notice (`QueueFilterForm.ignored`) instead of Django's "select a valid
    choice" error, which a user who never typed it cannot act on."""

    def validate(self, value):
        if value in self.empty_values and self.required:
            super().validate(value)


class QueueFilterForm(forms.Form):
    """The queue's filter bar. A wrong date is reported next to its field and otherwise ignored; an unknown status,
    vendor or sort is ignored and listed in `ignored`."""

    default_renderer = PLAIN_WIDGETS

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Request number, customer, title or taxpayer ID")}
        ),
    )
    status = FilterChoiceField(label=_("Status"), required=False)
    vendor = FilterChoiceField(label=_("Vendor"), required=False)
    submitted_from = _date(_("Submitted from"))
    submitted_to = _date(_("Submitted to"))
    due_from = _date(_("Mail by from"))
    due_to = _date(_("Mail by to"))
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    # Translators: 仅看临期（剩余 2 个工作日或更少）
    at_risk = forms.BooleanField(label=_("At risk only (2 working days or fewer left)"), required=False)
    sort = FilterChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("due", _("Mail-by date, earliest first")),
            ("-submitted", _("Submitted, newest first")),
            ("-amount", _("Amount, largest first")),
        ],
    )

    def __init__(self, *args, vendors=None, **kwargs):
        """`vendors`: the choices of the vendor filter (staff); None hides it (a vendor sees its own queue)."""
        super().__init__(*args, **kwargs)
        self.ignored: list[tuple[str, str]] = []  # (field label, value) of unknown values that were ignored
        self.fields["status"].choices = [
            # Translators: 待办（待处理和处理中）
            (STATUS_OPEN, _("To do (pending and processing)")),
            (STATUS_ALL, _("All statuses")),
            *InvoiceRequest.Status.choices,
        ]
        if vendors is None:
            del self.fields["vendor"]
        else:
            self.fields["vendor"].choices = [("", _("All vendors")), *((vendor.pk, vendor.name) for vendor in vendors)]

    def _known(self, name: str):
        value = self.cleaned_data.get(name)
        if value in (None, "") or self.fields[name].valid_value(value):
            return value
        self.ignored.append((str(self.fields[name].label), value))
        return ""

    def clean_status(self):
        return self._known("status")

    def clean_sort(self):
        return self._known("sort")

    def clean_vendor(self) -> int | None:
        value = self._known("vendor")
        return int(value) if value else None

    def clean(self):
        cleaned = super().clean()
        for start, end in (("submitted_from", "submitted_to"), ("due_from", "due_to")):
            if cleaned.get(start) and cleaned.get(end) and cleaned[start] > cleaned[end]:
                self.add_error(end, _("The end date is before the start date."))
        return cleaned

    def value(self, name: str):
        """A valid value of the field, else None (the filter is then ignored)."""
        if not self.is_bound:
            return None
        self.is_valid()
        if name in self.errors:
            return None
        return getattr(self, "cleaned_data", {}).get(name)

    @property
    def status_view(self) -> str:
        """`open` (the default: pending and processing), `all`, or one status."""
        return self.value("status") or STATUS_OPEN

    def filters(self) -> dict:
        """Keyword arguments for the queue selectors (without the vendor)."""
        status = self.status_view
        return {
            "status": status if status in InvoiceRequest.Status.values else None,
            "open_only": status == STATUS_OPEN,
            "submitted_from": self.value("submitted_from"),
            "submitted_to": self.value("submitted_to"),
            "due_from": self.value("due_from"),
            "due_to": self.value("due_to"),
            "overdue": bool(self.value("overdue")),
            "at_risk": bool(self.value("at_risk")),
            "search": self.value("q") or "",
        }

    def ordering(self) -> tuple[str, ...]:
        return SORTS.get(self.value("sort") or "due", SORTS["due"])

    @property
    def active_filter_count(self) -> int:
        """How many filters behind the phone's filter toggle are in use (the search and the tabs are in view)."""
        names = ("vendor", "submitted_from", "submitted_to", "due_from", "due_to", "overdue", "at_risk")
        return sum(1 for name in names if name in self.fields and self.value(name))


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        required=False,  # the service says that it is missing, in the same words as the API
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": STATUS_REASON_MAX_LENGTH, "aria-required": "true"}),
        help_text=_(
            "The customer sees it on the request, for example: the taxpayer ID does not match the bank account."
        ),
    )
    reason.show_required = True


class RadioSelectWithDisabled(forms.RadioSelect):
    """Radio buttons where some options are shown but cannot be chosen (with the reason next to them)."""

    def __init__(self, *args, disabled_values=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.disabled_values = set(disabled_values)

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if value in self.disabled_values:
            option["attrs"]["disabled"] = True
        return option


def _required_mark(field):
    field.show_required = True  # the label gets its "*" (templates/_form_field.html); the service checks it
    return field


class MailForm(forms.Form):
    """Mark a processing request mailed. The service checks the numbers, the date and the shipping-payer rule."""

    invoice_numbers = _required_mark(
        forms.CharField(
            label=_("Invoice number(s)"),
            required=False,
            widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "off", "spellcheck": "false"}),
            help_text=format_lazy(
                # Translators: two sentences in a row; Chinese needs no space between them: {0}{1}
                pgettext_lazy("two sentences", "{0} {1}"),
                INVOICE_NUMBER_SEPARATORS_HELP,
                _("Each number is used once per vendor."),
            ),
        )
    )
    invoice_date = _required_mark(forms.DateField(label=_("Invoice date"), required=False, widget=_date_input()))
    courier = _required_mark(forms.ChoiceField(label=_("Courier"), required=False))
    courier_name = forms.CharField(
        label=_("Courier name"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": 50}),
        help_text=_("Only when the courier is “Other courier”."),
    )
    tracking_number = _required_mark(
        forms.CharField(
            label=_("Tracking number"),
            required=False,
            widget=forms.TextInput(attrs={"maxlength": 40, "autocomplete": "off", "spellcheck": "false"}),
        )
    )
    shipping_payer = _required_mark(
        forms.ChoiceField(label=_("Shipping paid by"), required=False, choices=ShippingPayer.choices)
    )

    def __init__(self, *args, vendor_must_pay: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["courier"].choices = [("", _("Choose a courier")), *Courier.choices]
        # At 50.00 or more, cash on delivery is shown but cannot be chosen; the service enforces the rule anyway.
        disabled = [ShippingPayer.RECIPIENT] if vendor_must_pay else []
        self.fields["shipping_payer"].widget = RadioSelectWithDisabled(
            choices=ShippingPayer.choices, disabled_values=disabled
        )


class MailingImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
        help_text=format_lazy(
            _("UTF-8 (with or without BOM) or GBK, as Excel saves it. At most {megabytes} MB and {rows} rows."),
            megabytes=MAILING_IMPORT_MAX_BYTES // (1024 * 1024),
            rows=f"{MAILING_IMPORT_MAX_ROWS:,}",
        ),
        error_messages={
            "required": MAILING_FILE_REQUIRED_MESSAGE,
            "empty": _("The chosen file is empty: choose the CSV file with your mailing information."),
        },
    )


class ProfileForm(forms.Form):
    contact_phone = _required_mark(
        forms.CharField(
            label=_("Contact phone"),
            required=False,
            widget=forms.TextInput(attrs={"maxlength": 30, "inputmode": "tel", "placeholder": "400-820-1234"}),
        )
    )
    contact_email = forms.CharField(
        label=_("Contact email"),
        required=False,
        widget=forms.EmailInput(attrs={"maxlength": 254, "autocomplete": "email"}),
    )
    service_hours = forms.CharField(
        label=_("Service hours"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": 100, "placeholder": "工作日 09:00–18:00"}),
    )
    supported_invoice_types = _required_mark(
        forms.MultipleChoiceField(
            label=_("Supported invoice types"),
            required=False,
            choices=InvoiceType.choices,
            widget=forms.CheckboxSelectMultiple,
            help_text=_("Customers can apply only for the types you issue."),
        )
    )


# Refunds, invoice returns and putting a request back in the queue (apps/backoffice/views/refunds.py, returns.py).
# The services say when a required reason is missing or too long, in the same words as the API.
DECISION_REASON_MAX_LENGTH = 500


def _reason_field(label, help_text, *, required: bool) -> forms.CharField:
    attrs = {"rows": 3, "maxlength": DECISION_REASON_MAX_LENGTH}
    if required:
        attrs["aria-required"] = "true"
    field = forms.CharField(
        label=label,
        required=False,
        widget=forms.Textarea(attrs=attrs),
        help_text=help_text,
    )
    field.show_required = required
    return field


class RefundApproveForm(forms.Form):
    reason = _reason_field(
        _("Note to the customer (optional)"),
        _("For example: refunded to the original payment method."),
        required=False,
    )


class RefundRejectForm(forms.Form):
    reason = _reason_field(
        _("Reason"), _("The customer sees it, for example: this consumption was already refunded."), required=True
    )


class ReturnAgreeForm(forms.Form):
    # Translators: 责任方 — whether the vendor was at fault decides who pays the return postage
    fault = forms.ChoiceField(
        label=_("Who pays the return postage?"),
        choices=[
            ("", _("The customer: the invoice was correct and undamaged")),
            ("mismatch", _("We do: the invoice does not match what the customer applied for")),
            ("damaged", _("We do: the invoice arrived damaged")),
        ],
        required=False,
        initial="",
        widget=forms.RadioSelect,
        help_text=_("A return that was your fault counts in your figures in the staff console."),
    )
    reason = _reason_field(_("Note to the customer (optional)"), "", required=False)


class ReturnDeclineForm(forms.Form):
    reason = _reason_field(
        _("Reason"),
        _("The customer sees it, for example: the invoice was already used for tax deduction."),
        required=True,
    )


class ReopenForm(forms.Form):
    reason = _reason_field(
        _("Reason"),
        _("The customer sees it, for example: the customer asked to change the invoice title."),
        required=True,
    )
