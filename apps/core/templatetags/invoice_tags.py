"""Plain-words helpers for invoice request pages (console and back-office).

The status badge and the deadline phrases are functions, so a page that shows many rows can build them once per row
in Python (apps/console/views/invoices.py) and every other page prints the very same words through these tags.
"""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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


_STATUS_LABELS = dict(InvoiceRequest.Status.choices)


def status_label(status: str) -> str:
    """`record.get_status_display()` for a request status, without rebuilding the choices on every call."""
    label = _STATUS_LABELS.get(status)
    return status if label is None else str(label)


@register.simple_tag
def status_badge(status: str, label: str | None = None) -> SafeString:
    """`{% status_badge record.status %}`: a request's status as a coloured badge, with its label unless given."""
    if label is None:
        label = status_label(status)
    return format_html(
        '<span class="badge badge-{}" data-testid="status-badge" data-status="{}">{}</span>', status, status, label
    )


@register.simple_tag
def overdue_text(deadline) -> SafeString:
    """How late the vendor is with an overdue request (`deadline`: apps.invoices.selectors.Deadline), in working
    days."""
    if deadline.days_late:
        days = int(deadline.days_late)
        # Translators: 服务商已逾期 %(days)s 个工作日
        text = ngettext("The vendor is %(days)s working day late", "The vendor is %(days)s working days late", days) % {
            "days": days
        }
    else:
        # Translators: 服务商已错过最晚寄出日期 (overdue, but no working day lost yet, e.g. on the weekend after)
        text = _("The vendor has missed the mail-by date")
    return mark_safe(text)  # the catalog's words and a number, like {% blocktranslate %} prints them


@register.simple_tag
def days_left_text(days: int) -> SafeString:
    """`3 working days left` until the mail-by date (0 has its own words: "Due today")."""
    days = int(days)
    return mark_safe(ngettext("%(days)s working day left", "%(days)s working days left", days) % {"days": days})
