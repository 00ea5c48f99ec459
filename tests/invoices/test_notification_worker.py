"""The one test with a real Celery worker on real Redis: a committed submission's notification travels through the
broker (this run's own queue, see settings_test) and the worker sends the vendor's e-mail."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.conf import settings
from django.db import connections
from kombu import Connection

from invoicing_console.celery import app as celery_app
from tests.factories import consume
from tests.helpers import submit


def _queue_length() -> int:
    with Connection(settings.CELERY_BROKER_URL) as connection:
        return connection.default_channel.client.llen(settings.CELERY_TASK_DEFAULT_QUEUE)


def _purge_queue() -> None:
    """Earlier transactional tests of this run may have queued notifications for requests that are gone."""
    with Connection(settings.CELERY_BROKER_URL) as connection:
        connection.default_channel.queue_purge(settings.CELERY_TASK_DEFAULT_QUEUE)


def _close_worker_connection(**kwargs) -> None:
    # Runs in the worker's thread after each task: leave no connection open for the test database's teardown.
    connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_on_redis_sends_the_vendor_the_new_request_email(consumed, vendor, mailoutbox):
    # given a submission whose transaction committed, so its notification waits in this run's Redis queue
    consume(customer_account=consumed.customer_account, vendor=vendor, amount="1000.00")
    _purge_queue()
    request = submit(consumed, vendor, "1234.50")
    assert _queue_length() == 1

    # when a real worker (in a thread of this process, so it uses the test database and e-mail outbox) consumes it
    task_postrun.connect(_close_worker_connection, weak=False)
    try:
        with start_worker(celery_app, perform_ping_check=False, shutdown_timeout=30):
            deadline = time.monotonic() + 30
            while not mailoutbox and time.monotonic() < deadline:
                time.sleep(0.1)
    finally:
        task_postrun.disconnect(_close_worker_connection)

    # then the vendor got one e-mail naming the request and the amount as money
    assert len(mailoutbox) == 1, "the worker sent no e-mail within 30 s"
    message = mailoutbox[0]
    assert message.to == [vendor.contact_email]
    assert request.number in message.subject
    assert "¥1,234.50" in message.body
    # and the message was consumed: nothing is left in the queue
    assert _queue_length() == 0
