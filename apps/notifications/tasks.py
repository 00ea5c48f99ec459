"""Thin tasks: e-mail pending notifications. Both are idempotent (a sent row is never sent again), so a retried or
redelivered message (acks_late) sends nothing twice."""

from celery import shared_task

from .services import notifications_deliver

TASK_OPTIONS = {
    "acks_late": True,
    "autoretry_for": (OSError,),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "max_retries": 5,
}


@shared_task(**TASK_OPTIONS)
def deliver_notifications_task(ids: list[int]) -> int:
    """E-mail these notifications, queued once the change that wrote them committed."""
    return notifications_deliver(ids=ids)


@shared_task(**TASK_OPTIONS)
def drain_notification_outbox_task() -> int:
    """Beat, every minute: e-mail whatever is still pending (queued while the broker was down, or a failed send)."""
    return notifications_deliver()
