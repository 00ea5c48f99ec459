"""The SLA sweep end to end: beat's schedule entry is sent to this run's Redis queue (settings_test) the way beat
sends it, and a real Celery worker consumes it, breaches the overdue request and tells everyone concerned."""

import datetime as dt
import time

import pytest
from celery.beat import Scheduler
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.conf import settings
from django.db import connections
from django.utils import timezone
from kombu import Connection

from apps.core.workdays import calendar_date
from apps.invoices.models import InvoiceEvent, InvoiceRequest
from apps.notifications.models import Notification
from invoicing_console.celery import app as celery_app
from tests.helpers import fresh


def _queue_length() -> int:
    with Connection(settings.CELERY_BROKER_URL) as connection:
        return connection.default_channel.client.llen(settings.CELERY_TASK_DEFAULT_QUEUE)


def _purge_queue() -> None:
    with Connection(settings.CELERY_BROKER_URL) as connection:
        connection.default_channel.queue_purge(settings.CELERY_TASK_DEFAULT_QUEUE)


def _close_worker_connection(**kwargs) -> None:
    connections.close_all()  # the worker's thread leaves no connection open for the test database's teardown


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_beats_sla_sweep_from_redis(consumed, vendor, vendor_user, staff_user, submit):
    # given a request whose mail-by date passed a week ago (real time: the worker's sweep uses the clock)
    request = submit(consumed, vendor, "88.00")
    InvoiceRequest.objects.filter(pk=request.pk).update(
        dispatch_due_date=calendar_date(timezone.now()) - dt.timedelta(days=7)
    )
    _purge_queue()  # earlier tests' notification messages

    # when beat sends the schedule's sweep entry (as its tick does when the entry is due)
    scheduler = Scheduler(app=celery_app)
    entry = scheduler.schedule["sla-sweep"]
    assert entry.task == "apps.invoices.tasks.sla_sweep_task"
    scheduler.apply_async(entry)
    assert _queue_length() == 1

    # and a real worker consumes this run's queue on Redis
    task_postrun.connect(_close_worker_connection, weak=False)
    try:
        with start_worker(celery_app, perform_ping_check=False, shutdown_timeout=30):
            deadline = time.monotonic() + 30
            while fresh(request).breached_at is None and time.monotonic() < deadline:
                time.sleep(0.2)
            # the e-mails queued after the sweep's commit are consumed too
            while _queue_length() and time.monotonic() < deadline:
                time.sleep(0.2)
    finally:
        task_postrun.disconnect(_close_worker_connection)

    # then the request is breached once, on its timeline, and vendor, customer and staff were told
    assert fresh(request).breached_at is not None, "the worker did not sweep within 30 s"
    assert InvoiceEvent.objects.filter(request=request, kind=InvoiceEvent.Kind.BREACHED).count() == 1
    told = Notification.objects.filter(invoice_request=request, kind__in=["breached", "escalated"])
    assert sorted(told.values_list("recipient__username", "kind")) == sorted(
        [(vendor_user.username, "breached"), (consumed.username, "breached"), (staff_user.username, "escalated")]
    )
    # and nothing is left in the queue
    assert _queue_length() == 0
