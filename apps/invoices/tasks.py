"""Thin Celery tasks of the invoices app. Notifications of status changes are written by the services through
apps.notifications.services.notify and e-mailed by apps.notifications.tasks."""

from celery import shared_task  # noqa: F401 - the SLA and due-date tasks below use it
from django.db import DatabaseError


@shared_task(acks_late=True, autoretry_for=(DatabaseError, OSError), retry_backoff=True, retry_backoff_max=600)
def due_dates_recompute_task(year: int | None = None) -> int:
    """After staff changed the calendar of `year`: recompute open requests' mail-by dates (idempotent)."""
    from .due_dates import invoice_request_due_dates_recompute  # services import this module: no cycle at load

    return invoice_request_due_dates_recompute(year=year)


# --- SLA (apps.invoices.sla): both idempotent, so a retry or a redelivered message (acks_late) does nothing twice ---

SLA_TASK_OPTIONS = {
    "acks_late": True,
    "autoretry_for": (DatabaseError, OSError),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "max_retries": 5,
}


@shared_task(**SLA_TASK_OPTIONS)
def sla_sweep_task() -> dict:
    """Beat, every SLA_SWEEP_MINUTES: remind vendors of requests at risk, mark overdue ones breached."""
    from .sla import sla_sweep

    result = sla_sweep()
    return {"reminded": result.reminded, "breached": result.breached}


@shared_task(**SLA_TASK_OPTIONS)
def nightly_audit_task() -> dict:
    """Beat, nightly at 02:30 Asia/Shanghai: re-check the shipping-payer rule and the balances; staff see findings."""
    from .sla import nightly_audit

    result = nightly_audit()
    return {"shipping_rule": result.shipping_rule, "money_invariant": result.money_invariant, "new": result.new}
