"""With real Redis and a real Celery worker: notifications travel through the broker, and nothing is lost while the
broker is down (the Notification rows are the outbox; the periodic drain sends them once it is back)."""

import time
from contextlib import contextmanager

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.conf import settings
from django.db import connections
from django.urls import reverse
from kombu import Connection

from apps.invoices.models import InvoiceRequest
from apps.notifications.models import Notification
from apps.notifications.tasks import drain_notification_outbox_task
from invoicing_console.celery import app as celery_app
from tests.helpers import page_client, submit

pytestmark = pytest.mark.django_db(transaction=True)

DEAD_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def _queue_length() -> int:
    with Connection(settings.CELERY_BROKER_URL) as connection:
        return connection.default_channel.client.llen(settings.CELERY_TASK_DEFAULT_QUEUE)


def _purge_queue() -> None:
    """Earlier transactional tests of this run may have queued e-mails for rows that are gone."""
    with Connection(settings.CELERY_BROKER_URL) as connection:
        connection.default_channel.queue_purge(settings.CELERY_TASK_DEFAULT_QUEUE)


def _reset_producers() -> None:
    celery_app.amqp._producer_pool = None  # the next send connects to conf.broker_url afresh
    celery_app._pool = None


@contextmanager
def broker_at(url: str):
    """Point the app's Celery producer at another broker URL for the block."""
    real = celery_app.conf.broker_url, celery_app.conf.broker_write_url
    celery_app.conf.broker_url = celery_app.conf.broker_write_url = url
    _reset_producers()
    try:
        yield
    finally:
        celery_app.conf.broker_url, celery_app.conf.broker_write_url = real
        _reset_producers()


def _close_worker_connection(**kwargs) -> None:
    # Runs in the worker's thread after each task: leave no connection open for the test database's teardown.
    connections.close_all()


@contextmanager
def real_worker():
    """A real worker (a thread of this process: the test database and the locmem e-mail outbox) on this run's queue."""
    task_postrun.connect(_close_worker_connection, weak=False)
    try:
        with start_worker(celery_app, perform_ping_check=False, shutdown_timeout=30):
            yield
    finally:
        task_postrun.disconnect(_close_worker_connection)


def _wait_for(condition, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.1)


def apply_data(customer, amount: str) -> dict:
    account = customer.customer_account
    return {
        "amount": amount,
        "invoice_type": "general",
        "title": account.titles.get(is_default=True).pk,
        "address": account.addresses.get(is_default=True).pk,
        "idempotency_key": "broker-down-1",
    }


def test_a_request_submitted_while_the_broker_is_down_is_saved_and_its_emails_go_out_later(people, mailoutbox):
    _purge_queue()
    customer, vendor = people["customer"], people["vendor"]
    client = page_client(customer)

    # given the broker is unreachable
    with broker_at(DEAD_BROKER):
        # when the customer submits an application through the page
        started = time.monotonic()
        response = client.post(reverse("console:apply_confirm", args=[vendor.pk]), apply_data(customer, "1234.50"))
        elapsed = time.monotonic() - started

    # then the user sees success, the request is saved, its notifications wait in the outbox, nothing was queued
    request = InvoiceRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("console:record_detail", args=[request.pk])
    assert elapsed < 10
    success = client.get(response["Location"]).content.decode()
    assert "Submitted." in success
    assert set(Notification.objects.values_list("email_status", flat=True)) == {"pending"}
    assert Notification.objects.count() == 2
    assert _queue_length() == 0
    assert mailoutbox == []

    # when the broker is back: beat's drain entry is queued on the real broker and a real worker runs it
    drain_notification_outbox_task.delay()
    assert _queue_length() == 1
    with real_worker():
        _wait_for(lambda: len(mailoutbox) >= 2)

    # then each vendor user got exactly one e-mail about the request, and the rows are marked sent
    assert sorted(message.to[0] for message in mailoutbox) == sorted(["ops@vendor.example.com", vendor.contact_email])
    assert all(request.number in message.subject for message in mailoutbox)
    assert all("¥1,234.50" in message.body for message in mailoutbox)
    assert set(Notification.objects.values_list("email_status", flat=True)) == {"sent"}

    # and running the drain again sends nothing more
    assert drain_notification_outbox_task.apply().get() == 0
    assert len(mailoutbox) == 2


def test_a_real_worker_on_redis_sends_the_notification_queued_on_commit(people, mailoutbox):
    # given a committed submission: its delivery task waits in this run's Redis queue
    _purge_queue()
    request = submit(people["customer"], people["vendor"], "1234.50")
    assert _queue_length() == 1

    # when a real worker consumes it
    with real_worker():
        _wait_for(lambda: len(mailoutbox) >= 2)

    # then both vendor users got one e-mail naming the request and the amount, and the queue is empty
    assert sorted(m.to[0] for m in mailoutbox) == sorted(["ops@vendor.example.com", people["vendor"].contact_email])
    assert all(request.number in m.subject and "¥1,234.50" in m.body for m in mailoutbox)
    assert _queue_length() == 0
    assert set(Notification.objects.values_list("email_status", flat=True)) == {"sent"}


def test_the_drain_runs_every_minute_on_beat():
    entry = settings.CELERY_BEAT_SCHEDULE["notification-outbox-drain"]

    assert entry["task"] == drain_notification_outbox_task.name
    assert entry["schedule"] == 60
