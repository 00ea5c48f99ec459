"""Plain-words helpers for invoice request pages (console and back-office)."""

from django import template
from django.utils.translation import gettext as _

from apps.core.money import format_cny
from apps.invoices.models import VENDOR_PAYS_SHIPPING_FROM, InvoiceRequest

register = template.Library()


@register.simple_tag
def shipping_text(rule: str) -> str:
    """Say who pays the courier for a request's `shipping_rule`: the rule's one label, then what it means."""
    label = InvoiceRequest.ShippingRule(rule).label
    if rule == InvoiceRequest.ShippingRule.VENDOR_PAYS:
        meaning = _("the vendor pays the courier.")
    else:
        meaning = _("the vendor may send it cash on delivery; you then pay the courier on receipt.")
    # Translators: a shipping rule's label, then what it means, e.g. 寄付：服务商支付运费。
    return _("%(label)s: %(meaning)s") % {"label": label, "meaning": meaning}


@register.simple_tag
def shipping_threshold() -> str:
    """`¥50.00`: the amount from which the vendor pays shipping, for the pages' help texts (the rule is the model's)."""
    return format_cny(VENDOR_PAYS_SHIPPING_FROM)
