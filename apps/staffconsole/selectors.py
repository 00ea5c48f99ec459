"""Reads of the staff console that no domain app needs: audit findings by state, a year's calendar overrides."""

import datetime as dt
from itertools import groupby

from django.db.models import Count, Q, QuerySet

from apps.core.models import CalendarOverride
from apps.invoices.models import AuditFinding

FINDINGS_OPEN = "open"
FINDINGS_ACKNOWLEDGED = "acknowledged"
FINDINGS_ALL = "all"
FINDING_STATES = (FINDINGS_OPEN, FINDINGS_ACKNOWLEDGED, FINDINGS_ALL)


def audit_findings_for_staff(*, state: str = FINDINGS_OPEN) -> QuerySet[AuditFinding]:
    """Findings newest first, with what they point at joined (one query per page)."""
    findings = AuditFinding.objects.select_related(
        "invoice_request", "customer_account", "vendor", "acknowledged_by"
    ).order_by("-found_at", "-id")
    if state == FINDINGS_OPEN:
        return findings.filter(acknowledged_at__isnull=True)
    if state == FINDINGS_ACKNOWLEDGED:
        return findings.filter(acknowledged_at__isnull=False)
    return findings


def audit_finding_counts() -> dict[str, int]:
    counts = AuditFinding.objects.aggregate(all=Count("id"), open=Count("id", filter=Q(acknowledged_at__isnull=True)))
    return {
        FINDINGS_OPEN: counts["open"],
        FINDINGS_ACKNOWLEDGED: counts["all"] - counts["open"],
        FINDINGS_ALL: counts["all"],
    }


def calendar_overrides_of_year(*, year: int) -> QuerySet[CalendarOverride]:
    return CalendarOverride.objects.filter(date__year=year).select_related("created_by").order_by("date")


def calendar_overrides_by_month(*, year: int) -> list[tuple[dt.date, list[CalendarOverride]]]:
    """[(first day of the month, its overrides)] for the months of `year` that have any."""
    overrides = list(calendar_overrides_of_year(year=year))
    return [
        (month, list(rows)) for month, rows in groupby(overrides, key=lambda override: override.date.replace(day=1))
    ]
