"""The invoice title form parses input only; `apps.titles.services` checks every rule (USCC, GBK, lengths)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.titles.models import InvoiceTitle

COMPANY_FIELDS = ("taxpayer_id", "registered_address", "registered_phone", "bank_name", "bank_account")


def _text(label, max_length, *, help_text="", required_mark=False, **attrs):
    # Not `required` for Django: the service says what is missing, in the same words as the API.
    # `maxlength` is a hint for the browser only (a little room so that the service, not the browser, explains).
    widget_attrs = {"maxlength": max_length, "autocomplete": "off", **attrs}
    if required_mark:
        widget_attrs["aria-required"] = "true"
    field = forms.CharField(
        label=label,
        required=False,
        strip=True,
        help_text=help_text,
        widget=forms.TextInput(attrs=widget_attrs),
    )
    field.show_required = required_mark  # the label gets its "*" (templates/_form_field.html)
    return field


class TitleForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Title type"),
        choices=InvoiceTitle.Kind.choices,
        initial=InvoiceTitle.Kind.COMPANY,
        widget=forms.RadioSelect,
        help_text=_("Individual titles get VAT general invoices only."),
    )
    name = _text(
        _("Title name"),
        100,
        required_mark=True,
        help_text=_("The company's full registered name, or the person's name."),
    )
    taxpayer_id = _text(
        _("Taxpayer ID"),
        20,
        required_mark=True,
        help_text=_(
            "The 18-character unified social credit code. A 15, 17 or 20-character legacy taxpayer ID is "
            "accepted but marked unverified."
        ),
        spellcheck="false",
        **{"class": "input-uppercase"},
    )
    registered_address = _text(_("Registered address"), 200)
    registered_phone = _text(_("Registered phone"), 30, inputmode="tel")
    bank_name = _text(_("Bank name"), 100, help_text=_("The bank and branch where the company's account is held."))
    bank_account = _text(_("Bank account"), 40, inputmode="numeric")
    is_default = forms.BooleanField(
        label=_("Use as the default title"),
        required=False,
        help_text=_("The default title is preselected when you apply for an invoice."),
    )

    @classmethod
    def initial_for(cls, title: InvoiceTitle) -> dict:
        return {field: getattr(title, field) for field in cls.base_fields}

    def company_fields(self):
        return [self[name] for name in COMPANY_FIELDS]
