"""`{{ value|money }}` -> `¥1,234.50`: the one way pages show money (console, back-office and admin)."""

from decimal import Decimal, InvalidOperation

from django import template

from apps.core.money import format_cny

register = template.Library()


@register.filter
def money(value) -> str:
    """CNY with two decimals and thousands separators; empty stays empty, a non-number is shown as it is."""
    if value is None or value == "" or isinstance(value, bool):
        return ""
    try:
        return format_cny(Decimal(str(value)))
    except (InvalidOperation, ValueError, TypeError):
        return str(value)
