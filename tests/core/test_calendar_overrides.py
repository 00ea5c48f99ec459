"""Staff overrides of the calendar: saved through one service (audited, staff only), and open requests' due dates
recomputed in the background afterwards, each change on the request's timeline and notified, exactly once."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from apps.core.errors import ApplicationError, NotFoundError
from apps.core.models import AuditLog, CalendarOverride
from apps.core.services import (
    calendar_override_delete,
    calendar_override_save,
    calendar_override_update,
    calendar_overrides_import,
)
from apps.invoices.due_dates import invoice_request_due_dates_recompute
from apps.invoices.models import InvoiceEvent, InvoiceRequest
from apps.notifications.models import Notification
from invoicing_console.celery import app as celery_app
from tests.helpers import cancel, fresh

SHANGHAI = ZoneInfo("Asia/Shanghai")
SCHEDULE_2027 = """
# 2027 (an example schedule)
2027-01-01 holiday 元旦
2027-01-02 working_day 元旦调休
"""


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def at(text: str) -> dt.datetime:
    """A Shanghai wall-clock time, "YYYY-MM-DD HH:MM"."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.fixture
def tasks_run_at_once():
    """Tasks queued on commit run in this process (the recompute is a real Celery task, just not on a worker)."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def year_end_request(consumed, vendor, vendor_user, submit):
    """Submitted Thursday 2026-12-24: the 10 working days run into 2027, which no data covers yet."""
    return submit(consumed, vendor, now=at("2026-12-24 10:00"))


def due_events(request):
    return list(InvoiceEvent.objects.filter(request=request, kind=InvoiceEvent.Kind.DUE_DATE_CHANGED))


def test_the_2026_to_2027_boundary_is_provisional_until_staff_enter_2027_then_final(
    year_end_request,
    consumed,
    vendor,
    vendor_user,
    staff_user,
    submit,
    tasks_run_at_once,
    django_capture_on_commit_callbacks,
):
    # given a request whose due date was counted over 2027 (statutory New Year's Day only): provisional
    assert (year_end_request.dispatch_due_date, year_end_request.dispatch_due_date_provisional) == (
        d("2027-01-08"),
        True,
    )
    # and one due within 2026, final
    early = submit(consumed, vendor, amount="10.00", now=at("2026-12-02 10:00"))
    assert (early.dispatch_due_date, early.dispatch_due_date_provisional) == (d("2026-12-16"), False)
    # when staff enter 2027's schedule (New Year's Day off, Saturday 01-02 worked) and the transaction commits
    with django_capture_on_commit_callbacks(execute=True):
        calendar_overrides_import(actor=staff_user, lines=SCHEDULE_2027)
    # then the background task moved the request to 2027-01-07 and made it final
    request = fresh(year_end_request)
    assert (request.dispatch_due_date, request.dispatch_due_date_provisional) == (d("2027-01-07"), False)
    # and its timeline says so
    [event] = due_events(request)
    assert "2027-01-08" in event.reason and "2027-01-07" in event.reason
    assert event.actor is None and event.to_status == request.status
    # and the vendor and the customer were notified
    notified = Notification.objects.filter(invoice_request=request, kind=Notification.Kind.DUE_DATE_CHANGED)
    assert {n.recipient for n in notified} == {vendor_user, consumed}
    assert notified[0].params == {"old": "2027-01-08", "new": "2027-01-07", "provisional": False}
    # and the request due in 2026 was left alone
    assert fresh(early).dispatch_due_date == d("2026-12-16")
    assert due_events(early) == []


def test_a_request_that_stays_on_the_same_date_still_stops_being_provisional(
    year_end_request, staff_user, tasks_run_at_once, django_capture_on_commit_callbacks
):
    # when staff enter only New Year's Day (which the fallback already knew)
    with django_capture_on_commit_callbacks(execute=True):
        calendar_override_save(actor=staff_user, date=d("2027-01-01"), kind="holiday", note="元旦")
    # then the date stays 2027-01-08 but is final, and the timeline says so
    request = fresh(year_end_request)
    assert (request.dispatch_due_date, request.dispatch_due_date_provisional) == (d("2027-01-08"), False)
    [event] = due_events(request)
    assert "2027-01-08" in event.reason


def test_recompute_is_idempotent(year_end_request):
    # given 2027's New Year's Day entered without the background task running
    CalendarOverride.objects.create(date=d("2027-01-01"), kind="holiday")
    CalendarOverride.objects.create(date=d("2027-01-02"), kind="working_day")
    # when the recompute runs twice (a redelivered task)
    first = invoice_request_due_dates_recompute(year=2027)
    second = invoice_request_due_dates_recompute(year=2027)
    # then the request changed once: one event, one notification per person
    assert (first, second) == (1, 0)
    assert len(due_events(year_end_request)) == 1
    assert Notification.objects.filter(invoice_request=year_end_request).filter(kind="due_date_changed").count() == 2


def test_a_later_date_clears_the_reminder_and_the_breach_of_the_old_one(year_end_request):
    # given the sweep had reminded the vendor and marked the request late against its 2027-01-08 date
    InvoiceRequest.objects.filter(pk=year_end_request.pk).update(
        at_risk_notified_at=at("2027-01-06 09:00"), breached_at=at("2027-01-09 09:00")
    )
    # when staff add a holiday that moves the date later, still ahead of today
    CalendarOverride.objects.create(date=d("2027-01-04"), kind="holiday")
    invoice_request_due_dates_recompute(year=2027)
    # then the request is neither reminded nor late for its new date (the sweep will judge that date afresh)
    request = fresh(year_end_request)
    assert request.dispatch_due_date > d("2027-01-08")
    assert (request.at_risk_notified_at, request.breached_at) == (None, None)


def test_recompute_works_in_small_batches(consumed, vendor, submit):
    # given five requests counted over 2027
    requests = [submit(consumed, vendor, amount="10.00", now=at(f"2026-12-{day} 10:00")) for day in range(24, 29)]
    assert all(request.dispatch_due_date_provisional for request in requests)
    CalendarOverride.objects.create(date=d("2027-01-01"), kind="holiday")
    # when the recompute reads them two at a time
    # then all five became final
    assert invoice_request_due_dates_recompute(year=2027, batch_size=2) == 5
    assert not any(fresh(request).dispatch_due_date_provisional for request in requests)


def test_deleting_the_overrides_makes_the_date_provisional_again(
    year_end_request, staff_user, tasks_run_at_once, django_capture_on_commit_callbacks
):
    # given 2027's schedule entered and applied
    with django_capture_on_commit_callbacks(execute=True):
        calendar_overrides_import(actor=staff_user, lines=SCHEDULE_2027)
    # when staff delete the make-up Saturday, then New Year's Day (each change recomputed after its commit)
    for day in ("2027-01-02", "2027-01-01"):
        with django_capture_on_commit_callbacks(execute=True):
            calendar_override_delete(actor=staff_user, override_id=CalendarOverride.objects.get(date=d(day)).pk)
    # then the request is back on the fallback: 2027-01-08, provisional; the timeline shows every step
    request = fresh(year_end_request)
    assert (request.dispatch_due_date, request.dispatch_due_date_provisional) == (d("2027-01-08"), True)
    reasons = [event.reason for event in due_events(request)]
    assert len(reasons) == 3  # 01-08 (provisional) -> 01-07; 01-07 -> 01-08 (final); 01-08 -> 01-08 (provisional)
    assert reasons[-1].count("2027-01-08") == 2


def test_closed_requests_keep_their_due_date(year_end_request):
    # given the request cancelled by the customer
    cancel(year_end_request)
    CalendarOverride.objects.create(date=d("2027-01-01"), kind="holiday")
    # when the recompute runs
    # then nothing changes: the vendor no longer owes it
    assert invoice_request_due_dates_recompute(year=2027) == 0
    assert fresh(year_end_request).dispatch_due_date_provisional


def test_recompute_of_a_year_leaves_requests_that_do_not_depend_on_it(consumed, vendor, submit):
    # given a request due within 2026 and an override in 2025 that would matter only for 2025 submissions
    request = submit(consumed, vendor, now=at("2026-12-02 10:00"))
    CalendarOverride.objects.create(date=d("2026-12-10"), kind="holiday")
    # when the 2025 recompute runs, nothing happens; the 2026 one moves it by a day
    assert invoice_request_due_dates_recompute(year=2025) == 0
    assert invoice_request_due_dates_recompute(year=2026) == 1
    assert fresh(request).dispatch_due_date == d("2026-12-17")


# --- the service itself ---------------------------------------------------------------------------------------------


def test_save_creates_then_updates_the_override_of_a_date_and_audits_both(
    staff_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        override = calendar_override_save(actor=staff_user, date=d("2027-02-06"), kind="holiday", note="春节")
    assert len(callbacks) >= 1  # the recompute is queued only once the change commits
    again = calendar_override_save(actor=staff_user, date=d("2027-02-06"), kind="working_day", note="")
    assert again.pk == override.pk and again.kind == "working_day"
    actions = list(AuditLog.objects.filter(object_type="core.calendaroverride").values_list("action", flat=True))
    assert sorted(actions) == ["calendar_override_created", "calendar_override_updated"]


def test_update_moves_an_override_and_refuses_a_date_taken(staff_user):
    first = calendar_override_save(actor=staff_user, date=d("2027-02-06"), kind="holiday")
    calendar_override_save(actor=staff_user, date=d("2027-02-07"), kind="holiday")
    moved = calendar_override_update(
        actor=staff_user, override_id=first.pk, date=d("2027-02-05"), kind="holiday", note="除夕"
    )
    assert (moved.date, moved.note) == (d("2027-02-05"), "除夕")
    with pytest.raises(ApplicationError) as error:
        calendar_override_update(actor=staff_user, override_id=first.pk, date=d("2027-02-07"), kind="holiday")
    assert error.value.code == "calendar_override_exists"


def test_only_staff_change_the_calendar(vendor_user, consumed):
    for actor in (vendor_user, consumed):
        with pytest.raises(ApplicationError) as error:
            calendar_override_save(actor=actor, date=d("2027-01-01"), kind="holiday")
        assert error.value.code == "staff_only"
    assert not CalendarOverride.objects.exists()


def test_delete_of_an_unknown_override_is_not_found(staff_user):
    with pytest.raises(NotFoundError):
        calendar_override_delete(actor=staff_user, override_id=999999)


def test_invalid_values_are_refused_field_by_field(staff_user):
    with pytest.raises(ApplicationError) as error:
        calendar_override_save(actor=staff_user, date=d("2027-01-01"), kind="weekend")
    assert set(error.value.fields) == {"kind"}
    with pytest.raises(ApplicationError) as error:
        calendar_override_save(actor=staff_user, date=d("2027-01-01"), kind="holiday", note="x" * 101)
    assert set(error.value.fields) == {"note"}


def test_import_expands_ranges_and_is_all_or_nothing(staff_user):
    # when staff paste a schedule with a range, Chinese kind words and a comment
    result = calendar_overrides_import(
        actor=staff_user, lines="# 2027\n2027-02-05..2027-02-11 休 春节\n2027-02-20 班 春节调休\n"
    )
    # then every day of the range is a holiday and the Saturday a working day
    assert (result.created, result.updated, result.saved) == (8, 0, 8)
    assert result.years == (2027,)
    assert CalendarOverride.objects.filter(kind="holiday").count() == 7
    assert CalendarOverride.objects.get(date=d("2027-02-20")).kind == "working_day"
    # and a paste with one bad line saves nothing and names the line
    with pytest.raises(ApplicationError) as error:
        calendar_overrides_import(actor=staff_user, lines="2027-10-01..2027-10-07 holiday 国庆\n2027-13-01 holiday\n")
    assert "Line 2" in error.value.fields["lines"][0]
    assert not CalendarOverride.objects.filter(date__month=10).exists()
    # and the same schedule again changes nothing
    again = calendar_overrides_import(actor=staff_user, lines="2027-02-05..2027-02-11 休 春节\n")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 7)


# --- query counts ---------------------------------------------------------------------------------------------------


def test_working_days_left_for_a_list_runs_no_query_per_row(consumed, vendor, submit, django_assert_num_queries):
    from apps.invoices.selectors import deadlines_for, working_days_left

    # given 20 open requests counted over the 2026 -> 2027 boundary, and an override for 2027
    requests = [submit(consumed, vendor, amount="1.00", now=at(f"2026-12-{1 + n % 28:02d} 10:00")) for n in range(20)]
    CalendarOverride.objects.create(date=d("2027-01-01"), kind="holiday")
    today = d("2026-12-03")
    # when the list asks for the working days left of 1 row, then of all 20 (after the override changed)
    with django_assert_num_queries(1):  # the overrides, once
        working_days_left(invoice_request=requests[0], today=today)
    with django_assert_num_queries(0):
        lefts = [working_days_left(invoice_request=request, today=today) for request in requests]
        deadlines = deadlines_for(requests, today=today)
    # then no query ran per row, and the answers follow the calendar
    assert lefts[0] == 8  # submitted 12-01, due 12-15: 12-04, 12-07 .. 12-11, 12-14, 12-15
    assert all(deadlines[request.pk].days_left == left for request, left in zip(requests, lefts, strict=True))
