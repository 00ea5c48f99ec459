"""Template helpers of the staff console."""

from django import template

from apps.invoices.models import AuditFinding
from apps.invoices.sla import audit_finding_summary

register = template.Library()


@register.filter
def finding_summary(finding: AuditFinding) -> str:
    """The finding in one translated sentence with money formatted (the raw `details` keys are English)."""
    return audit_finding_summary(finding=finding)
