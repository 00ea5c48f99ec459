"""Customer forms for refunds, invoice returns, support tickets and withdrawals.

They parse input only; `apps.refunds.services` checks every rule (amounts, statuses, file types and sizes) and its
messages are shown next to the fields (apps/console/views/mixins.add_service_errors).
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.errors import ApplicationError
from apps.core.money import parse_page_amount
from apps.invoices.models import Courier
from apps.refunds.models import InvoiceReturn


def _required(field):
    field.show_required = True  # the label gets its "*" (templates/_form_field.html); the service checks it
    return field


def _clean_amount(raw: str):
    """The typed amount as a Decimal (a pasted `¥1,000.50` is read as 1000.50), None when left empty.

    The money rules and their messages are `apps.core.money`'s, the same the services apply.
    """
    if not raw:
        return None
    try:
        return parse_page_amount(raw)
    except ApplicationError as error:
        raise forms.ValidationError(str(error.message)) from error


class RefundForm(forms.Form):
    vendor = _required(forms.ChoiceField(label=_("Vendor"), required=False))
    amount = _required(
        forms.CharField(
            # Translators: 退款金额
            label=_("Refund amount (CNY)"),
            required=False,
            max_length=32,
            widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        )
    )
    reason = _required(
        forms.CharField(
            label=_("Reason"),
            required=False,
            max_length=500,
            widget=forms.Textarea(attrs={"rows": 3, "maxlength": 500}),
            help_text=_("Tell the vendor why you ask for this refund."),
        )
    )

    def __init__(self, *args, vendors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vendor"].choices = [("", _("Choose a vendor")), *[(str(v.pk), v.name) for v in vendors]]

    def clean_amount(self):
        return _clean_amount(self.cleaned_data["amount"])


class ReturnRequestForm(forms.Form):
    purpose = _required(
        forms.ChoiceField(
            # Translators: 退票原因
            label=_("Why return the invoice?"),
            choices=InvoiceReturn.Purpose.choices,
            required=False,
            widget=forms.RadioSelect,
        )
    )
    reason = _required(
        forms.CharField(
            label=_("Details"),
            required=False,
            max_length=500,
            widget=forms.Textarea(attrs={"rows": 3, "maxlength": 500}),
            help_text=_("For a reissue, say what must be corrected; for a refund, say why."),
        )
    )


class ReturnShipForm(forms.Form):
    courier = _required(forms.ChoiceField(label=_("Courier"), required=False))
    courier_name = forms.CharField(
        label=_("Courier name"),
        required=False,
        max_length=50,
        help_text=_("Only when the courier is “Other courier”."),
    )
    tracking_number = _required(
        forms.CharField(
            # Translators: 快递单号
            label=_("Tracking number"),
            required=False,
            max_length=40,
            widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        )
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["courier"].choices = [("", _("Choose a courier")), *Courier.choices]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input; their type and size are checked by the ticket service (by content)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


ATTACHMENTS_HELP = _("Photos (JPEG, PNG, WebP) or PDFs, at most 5 files of 5 MB each.")


class TicketForm(forms.Form):
    subject = _required(forms.CharField(label=_("Subject"), required=False, max_length=120))
    body = _required(
        forms.CharField(
            label=_("Message"),
            required=False,
            max_length=5000,
            widget=forms.Textarea(attrs={"rows": 6, "maxlength": 5000}),
        )
    )
    invoice_request = forms.ChoiceField(
        label=_("Invoice request"),
        required=False,
        help_text=_("The request this ticket is about, if any."),
    )
    invoice_return = forms.IntegerField(required=False, widget=forms.HiddenInput)
    files = MultipleFileField(label=_("Attachments"), required=False, help_text=ATTACHMENTS_HELP)

    def __init__(self, *args, invoice_requests=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["invoice_request"].choices = [
            ("", _("None")),
            *[(str(r.pk), f"{r.number} · {r.vendor.name} · {r.get_status_display()}") for r in invoice_requests],
        ]


class TicketReplyForm(forms.Form):
    body = _required(
        forms.CharField(
            label=_("Your reply"),
            required=False,
            max_length=5000,
            widget=forms.Textarea(attrs={"rows": 4, "maxlength": 5000}),
        )
    )
    files = MultipleFileField(label=_("Attachments"), required=False, help_text=ATTACHMENTS_HELP)


class WithdrawalForm(forms.Form):
    amount = _required(
        forms.CharField(
            # Translators: 提现金额
            label=_("Amount to withdraw (CNY)"),
            required=False,
            max_length=32,
            widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        )
    )
    title = forms.ChoiceField(
        label=_("Bank account from an invoice title"),
        required=False,
        help_text=_("Fills in the bank and account from a company title; or type them below."),
    )
    bank_name = forms.CharField(label=_("Bank name"), required=False, max_length=100)
    bank_account = forms.CharField(
        label=_("Bank account"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    account_holder = forms.CharField(
        label=_("Account holder"),
        required=False,
        max_length=100,
        help_text=_("The name the bank account is held in."),
    )
    idempotency_key = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, titles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.titles = {str(t.pk): t for t in titles if t.bank_account}
        self.fields["title"].choices = [
            ("", _("Type the bank account below")),
            *[(pk, f"{t.name} · {t.bank_name} {t.bank_account}") for pk, t in self.titles.items()],
        ]

    def clean_amount(self):
        return _clean_amount(self.cleaned_data["amount"])

    def bank_details(self) -> dict:
        """The bank details to send: a chosen title's, else what was typed."""
        data = self.cleaned_data
        title = self.titles.get(data.get("title") or "")
        if title is not None:
            return {"bank_name": title.bank_name, "bank_account": title.bank_account, "account_holder": title.name}
        return {name: data.get(name) or "" for name in ("bank_name", "bank_account", "account_holder")}
