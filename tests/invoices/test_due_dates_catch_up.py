"""A calendar change made while the broker is down: its recompute message is lost, yet beat's hourly catch-up
brings the open requests' mail-by dates in line (the promise "recomputed in the background" still holds)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from apps.core.services import calendar_override_save
from apps.invoices import tasks
from invoicing_console.celery import app as celery_app
from tests.helpers import fresh

pytestmark = pytest.mark.django_db


def test_an_override_saved_while_the_broker_is_down_is_applied_by_the_catch_up(
    consumed, vendor, staff_user, submit, monkeypatch, django_capture_on_commit_callbacks
):
    # given a request due in 2027, which no calendar data covers yet: provisional
    request = submit(consumed, vendor, now=dt.datetime(2026, 12, 24, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    assert request.dispatch_due_date_provisional

    # when staff enter 2027's New Year's Day while the broker is unreachable
    def broker_down(*args, **kwargs):
        raise OSError("Connection refused")

    monkeypatch.setattr(tasks.due_dates_recompute_task, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        calendar_override_save(actor=staff_user, date=dt.date(2027, 1, 1), kind="holiday", note="元旦")
    monkeypatch.undo()
    # then the override is saved but the recompute did not happen
    assert fresh(request).dispatch_due_date_provisional

    # when beat's catch-up entry runs
    [entry] = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == tasks.due_dates_recompute_task.name]
    assert entry["schedule"] <= 60 * 60
    celery_app.tasks[entry["task"]].apply(args=entry.get("args", ()), throw=True)
    # then the mail-by date is final
    assert fresh(request).dispatch_due_date_provisional is False
