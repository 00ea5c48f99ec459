"""The pages' fixed date formats, without the cost of Django's `date` filter (a format lookup and a format-string
parse per value). They print exactly what `|date:"Y-m-d"`, `|date:"Y-m-d H:i"` and `|date:"c"` print, in the page's
time zone, for the formats the pages use everywhere (no locale in them):

    {% load page_dates %}
    {{ request.submitted_at|ymd_hm }}    2025-10-09 14:05
    {{ request.dispatch_due_date|ymd }}  2025-10-22
    {{ event.created_at|iso }}           2025-10-09T14:05:33.123456+08:00  (for <time datetime="...">)

Views building rows in Python call `ymd()` and `ymd_hm()` directly.
"""

import datetime as dt

from django import template
from django.utils import timezone

register = template.Library()


def _local(value):
    """What the template engine hands a `expects_localtime` filter: an aware datetime in the current time zone."""
    return timezone.template_localtime(value) if isinstance(value, dt.datetime) else value


@register.filter(expects_localtime=True, is_safe=False)
def ymd(value) -> str:
    """`|date:"Y-m-d"`."""
    if not isinstance(value, dt.date):
        return ""
    value = _local(value)
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


@register.filter(expects_localtime=True, is_safe=False)
def ymd_hm(value) -> str:
    """`|date:"Y-m-d H:i"` (a datetime)."""
    if not isinstance(value, dt.datetime):
        return ""
    value = _local(value)
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d} {value.hour:02d}:{value.minute:02d}"


@register.filter(expects_localtime=True, is_safe=False)
def iso(value) -> str:
    """`|date:"c"`: ISO 8601, as Django's `c` format gives it (`isoformat()`)."""
    if not isinstance(value, dt.date):
        return ""
    return _local(value).isoformat()
