"""The mailing address form parses input only; `apps.addresses.services` checks every rule."""

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.addresses.models import MailingAddress


def _text(label, max_length, *, help_text="", **attrs):
    # Not `required` for Django: the service says what is missing, in the same words as the API.
    field = forms.CharField(
        label=label,
        required=False,
        strip=True,
        help_text=help_text,
        widget=forms.TextInput(attrs={"maxlength": max_length, "aria-required": "true", **attrs}),
    )
    field.show_required = True  # the label gets its "*" (templates/_form_field.html)
    return field


class AddressForm(forms.Form):
    recipient = _text(_("Recipient"), 50, autocomplete="name")
    phone = _text(
        _("Mobile"),
        20,
        help_text=_("A mainland mobile number; the courier calls it on delivery."),
        inputmode="tel",
        autocomplete="tel",
    )
    province = _text(_("Province"), 30, autocomplete="address-level1")
    city = _text(_("City"), 30, autocomplete="address-level2")
    district = _text(_("District"), 30, autocomplete="address-level3")
    street = _text(
        _("Street address"),
        200,
        help_text=_("Street, building, floor and room."),
        autocomplete="street-address",
    )
    # No example placeholders: a grey "100080" in an empty box reads like a value already filled in.
    postal_code = _text(_("Postal code"), 6, help_text=_("6 digits."), inputmode="numeric", autocomplete="postal-code")
    is_default = forms.BooleanField(
        label=_("Use as the default address"),
        required=False,
        help_text=_("The default address is preselected when you apply for an invoice."),
    )

    @classmethod
    def initial_for(cls, address: MailingAddress) -> dict:
        return {field: getattr(address, field) for field in cls.base_fields}
