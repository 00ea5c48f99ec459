"""`{{ value|money }}` -> `¥1,234.50` (CNY, two decimals, thousands separators, never floats)."""

from decimal import Decimal, InvalidOperation

from django import template

from apps.core.money import quantize

register = template.Library()


@register.filter
def money(value) -> str:
    if value is None or value == "":
        return ""
    try:
        amount = quantize(Decimal(str(value)))
    except (InvalidOperation, ValueError, TypeError):
        return str(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,.2f}"
