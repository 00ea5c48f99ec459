"""The SLA sweep: vendors are reminded once when 2 working days or fewer are left, and an overdue request is marked
breached once, with the vendor, the customer and staff told once, however often and however late the sweep runs.

Time is passed in (`now=`); due dates are set on requests submitted through the real service (the date is the
setup, not the state under test). March 2026 has no holiday: Wed 11 → Thu 12, Fri 13, Mon 16 are working days.
"""

import datetime as dt
import os
import subprocess
import sys
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from apps.invoices.models import InvoiceEvent, InvoiceRequest
from apps.invoices.sla import SweepResult, sla_sweep
from apps.invoices.tasks import sla_sweep_task
from apps.notifications.models import Notification
from invoicing_console.celery import app as celery_app
from tests.helpers import accept, cancel, fresh, mail, reject

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Wednesday 2026-03-11, 10:00 in Shanghai.
NOW = dt.datetime(2026, 3, 11, 10, 0, tzinfo=SHANGHAI)
WED, THU, FRI, MON = dt.date(2026, 3, 11), dt.date(2026, 3, 12), dt.date(2026, 3, 13), dt.date(2026, 3, 16)
TUE = dt.date(2026, 3, 10)


def due_on(request: InvoiceRequest, day: dt.date) -> InvoiceRequest:
    InvoiceRequest.objects.filter(pk=request.pk).update(dispatch_due_date=day)
    return fresh(request)


@pytest.fixture
def owed(consumed, vendor, vendor_user, staff_user, submit):
    """`owed(day, amount="10.00")`: a pending request of `consumed` to `vendor`, due on `day`."""

    def make(day: dt.date, amount: str = "10.00") -> InvoiceRequest:
        return due_on(submit(consumed, vendor, amount), day)

    return make


def events(request: InvoiceRequest, kind: str) -> int:
    return InvoiceEvent.objects.filter(request=request, kind=kind).count()


def notified(request: InvoiceRequest, kind: str) -> list[str]:
    """Usernames told about `request` with this kind, sorted."""
    return sorted(
        Notification.objects.filter(invoice_request=request, kind=kind).values_list("recipient__username", flat=True)
    )


# --- at risk ---------------------------------------------------------------------------------------------------------


def test_the_vendor_is_reminded_once_when_two_working_days_or_fewer_are_left(owed, vendor_user):
    # given requests due today, tomorrow, in 2 working days and in 3 (Monday, over the weekend)
    today, tomorrow, two_left, three_left = owed(WED), owed(THU), owed(FRI), owed(MON)

    # when the sweep runs
    result = sla_sweep(now=NOW)

    # then the three with 2 working days or fewer left are reminded, on their timeline and in the vendor's bell
    assert result == SweepResult(reminded=3, breached=0)
    for request in (today, tomorrow, two_left):
        assert fresh(request).at_risk_notified_at == NOW
        assert events(request, InvoiceEvent.Kind.VENDOR_REMINDED) == 1
        assert notified(request, Notification.Kind.AT_RISK) == [vendor_user.username]
    assert Notification.objects.get(invoice_request=two_left, kind="at_risk").params == {
        "due": "2026-03-13",
        "working_days_left": 2,
    }
    # and the one with 3 working days left is not (yet)
    assert fresh(three_left).at_risk_notified_at is None
    assert not Notification.objects.filter(invoice_request=three_left).exclude(kind="submitted").exists()

    # when the sweep runs again, later the same day and the next morning
    again = sla_sweep(now=NOW + dt.timedelta(hours=3))
    # then nobody is reminded twice
    assert again == SweepResult(reminded=0, breached=0)
    assert events(two_left, InvoiceEvent.Kind.VENDOR_REMINDED) == 1
    assert Notification.objects.filter(kind="at_risk").count() == 3


def test_a_reminder_is_sent_for_work_still_owed_only(owed, consumed, vendor):
    # given requests due tomorrow that were accepted, mailed, rejected or cancelled
    processing = owed(THU)
    accept(processing)
    mailed, rejected, cancelled = owed(THU), owed(THU), owed(THU)
    mail(mailed)
    reject(rejected)
    cancel(cancelled)

    # when the sweep runs
    result = sla_sweep(now=NOW)

    # then only the accepted one, still to be mailed, is reminded
    assert result.reminded == 1
    assert fresh(processing).at_risk_notified_at == NOW
    for closed in (mailed, rejected, cancelled):
        assert fresh(closed).at_risk_notified_at is None


# --- overdue ---------------------------------------------------------------------------------------------------------


def test_an_overdue_request_is_breached_once_and_everyone_concerned_is_told(owed, consumed, vendor_user, staff_user):
    # given a request due yesterday and one due today
    late, due_today = owed(TUE), owed(WED)

    # when the sweep runs
    result = sla_sweep(now=NOW)

    # then the late one is marked with the time, on its timeline, and vendor, customer and staff are told
    assert result.breached == 1
    assert fresh(late).breached_at == NOW
    assert events(late, InvoiceEvent.Kind.BREACHED) == 1
    assert notified(late, Notification.Kind.BREACHED) == sorted([vendor_user.username, consumed.username])
    assert notified(late, Notification.Kind.ESCALATED) == [staff_user.username]
    # and the one due today is not late yet
    assert fresh(due_today).breached_at is None

    # when the sweep runs again (and again, days later)
    sla_sweep(now=NOW)
    sla_sweep(now=NOW + dt.timedelta(days=3))

    # then nothing is repeated: one breach, one timeline line, one notification per person
    assert fresh(late).breached_at == NOW
    assert events(late, InvoiceEvent.Kind.BREACHED) == 1
    assert Notification.objects.filter(invoice_request=late, kind__in=["breached", "escalated"]).count() == 3


def test_the_day_is_the_shanghai_date_of_now(owed):
    # given a request due Tuesday 2026-03-10
    late = owed(TUE)

    # when the sweep runs at 23:59 on Tuesday in Shanghai, then at 00:30 on Wednesday in Shanghai (16:30 UTC Tue)
    assert sla_sweep(now=dt.datetime(2026, 3, 10, 15, 59, tzinfo=dt.UTC)).breached == 0
    assert sla_sweep(now=dt.datetime(2026, 3, 10, 16, 30, tzinfo=dt.UTC)).breached == 1

    # then it is late from the first minute of Wednesday in Shanghai, although it is still Tuesday in UTC
    assert fresh(late).breached_at == dt.datetime(2026, 3, 10, 16, 30, tzinfo=dt.UTC)


def test_a_sweep_missed_for_days_catches_up_at_any_time_of_day(owed):
    # given requests that went overdue and at risk while no sweep ran (workers down since the 1st)
    long_overdue, overdue, at_risk = owed(dt.date(2026, 3, 2)), owed(TUE), owed(FRI)

    # when the next sweep runs at an odd moment
    result = sla_sweep(now=dt.datetime(2026, 3, 11, 3, 17, 42, tzinfo=SHANGHAI))

    # then everything is caught up: both overdue ones breached, the one at risk reminded
    assert result == SweepResult(reminded=1, breached=2)
    assert fresh(long_overdue).breached_at and fresh(overdue).breached_at
    assert fresh(at_risk).at_risk_notified_at
    # and a request found only once overdue is breached without a late reminder
    assert fresh(long_overdue).at_risk_notified_at is None


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_remind_and_breach_each_request_exactly_once(
    consumed, vendor, vendor_user, staff_user, submit, run_together
):
    # given 6 overdue and 3 at-risk requests
    overdue = [due_on(submit(consumed, vendor, "10.00"), TUE) for _ in range(6)]
    at_risk = [due_on(submit(consumed, vendor, "10.00"), FRI) for _ in range(3)]

    # when two sweeps run at the same moment, in small batches so that they interleave
    results = run_together(lambda index: sla_sweep(now=NOW, batch_size=2), 2)

    # then together they handled each request once (neither failed)
    assert all(isinstance(result, SweepResult) for result in results), results
    assert sum(result.breached for result in results) == 6
    assert sum(result.reminded for result in results) == 3
    for request in overdue:
        assert events(request, InvoiceEvent.Kind.BREACHED) == 1
        assert notified(request, Notification.Kind.BREACHED) == sorted([vendor_user.username, consumed.username])
        assert notified(request, Notification.Kind.ESCALATED) == [staff_user.username]
    for request in at_risk:
        assert events(request, InvoiceEvent.Kind.VENDOR_REMINDED) == 1
        assert notified(request, Notification.Kind.AT_RISK) == [vendor_user.username]


def test_the_sweep_reads_batch_size_rows_at_a_time(owed, consumed, vendor):
    # given 7 overdue requests
    requests = [owed(TUE) for _ in range(7)]

    # when the sweep runs with batches of 2
    with CaptureQueriesContext(connection) as queries:
        result = sla_sweep(now=NOW, batch_size=2)

    # then all 7 are breached
    assert result.breached == 7
    assert all(fresh(request).breached_at == NOW for request in requests)
    # and no query read more than 2 requests: the locking reads are LIMIT 2, 4 of them for 7 rows (+1 empty for
    # reminders), each in its own transaction
    locking = [query["sql"] for query in queries.captured_queries if "FOR UPDATE" in query["sql"]]
    assert all(sql.endswith('LIMIT 2 FOR UPDATE OF "invoices_invoicerequest" SKIP LOCKED') for sql in locking), locking
    assert len(locking) == 5


def test_the_sweep_uses_the_open_requests_partial_index(owed):
    # given an overdue request (the planner would scan a tiny table anyway: forbid sequential scans to ask it)
    owed(TUE)
    open_rows = InvoiceRequest.objects.filter(status__in=["pending", "processing"], dispatch_due_date__lt=WED)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    # then the sweep's kind of query is answered from invoice_request_open_due
    assert "invoice_request_open_due" in open_rows.order_by("dispatch_due_date", "pk").explain()


# --- the task and the schedule ---------------------------------------------------------------------------------------


def test_the_task_runs_the_sweep(owed):
    late = owed(dt.date(2020, 1, 2))
    assert sla_sweep_task.run()["breached"] == 1
    assert fresh(late).breached_at is not None
    # a retried or redelivered task does nothing twice
    assert sla_sweep_task.run() == {"reminded": 0, "breached": 0}
    assert sla_sweep_task.acks_late is True


def test_beat_sweeps_every_15_minutes_by_default_and_audits_nightly():
    schedule = celery_app.conf.beat_schedule
    assert settings.SLA_SWEEP_MINUTES == 15
    assert schedule["sla-sweep"]["task"] == "apps.invoices.tasks.sla_sweep_task"
    assert schedule["sla-sweep"]["schedule"] == 15 * 60
    audit = schedule["nightly-audit"]["schedule"]
    assert schedule["nightly-audit"]["task"] == "apps.invoices.tasks.nightly_audit_task"
    assert (audit.hour, audit.minute) == ({2}, {30})
    assert celery_app.conf.timezone == "Asia/Shanghai"


def test_sla_sweep_minutes_sets_the_interval():
    code = (
        "import django; django.setup(); from invoicing_console.celery import app; "
        "print(app.conf.beat_schedule['sla-sweep']['schedule'])"
    )
    env = {"SLA_SWEEP_MINUTES": "5", "DJANGO_SETTINGS_MODULE": "invoicing_console.settings_test"}
    output = subprocess.run(
        [sys.executable, "-c", code], env={**os.environ, **env}, capture_output=True, text=True, check=True
    )
    assert output.stdout.strip() == "300"


def test_the_timeline_line_of_a_breach_reads_in_the_readers_language(owed):
    # given a request the sweep found overdue
    late = owed(TUE)
    sla_sweep(now=NOW)
    event = InvoiceEvent.objects.get(request=late, kind=InvoiceEvent.Kind.BREACHED)

    # then a Chinese reader and an English reader each read it in their language, with the date
    with translation.override("zh-hans"):
        assert "未在最晚寄出日期 2026-03-10 前寄出" in event.text
    with translation.override("en"):
        assert event.text.startswith("Not mailed by its mail-by date, 2026-03-10.")
    # and the stored copy for the admin is in the product's default language
    assert "2026-03-10" in event.reason and "未在" in event.reason
