"""Plain-words helpers for invoice request pages."""

from django import template
from django.utils.translation import gettext as _

from apps.invoices.models import InvoiceRequest

register = template.Library()


@register.simple_tag
def shipping_text(rule: str) -> str:
    """Say who pays the courier for a request's `shipping_rule`."""
    if rule == InvoiceRequest.ShippingRule.VENDOR_PAYS:
        return _("The vendor pays shipping.")
    return _("The vendor may send it cash on delivery (到付): you pay the courier on receipt.")
