"""The calendar page: a year's overrides by month, add (one date, a range, a pasted schedule), edit, delete, coverage;
and the recompute of open requests' mail-by dates that each change starts."""

import datetime as dt

import pytest
from django.urls import reverse

from apps.core.models import AuditLog, CalendarOverride
from apps.core.services import calendar_override_save
from apps.invoices import tasks
from apps.invoices.models import InvoiceEvent
from tests.helpers import fresh

pytestmark = pytest.mark.django_db

CALENDAR = reverse("staffconsole:calendar")
# Submitted on Monday 2026-12-28 (Shanghai): the 10th working day falls in January 2027, which no calendar data
# covers yet, so the mail-by date is provisional.
LATE_DECEMBER = dt.datetime(2026, 12, 28, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def recompute(monkeypatch) -> list[int]:
    """The recompute task as the broker would run it: record the year and run it at once (after the commit)."""
    years: list[int] = []

    def run(args=None, kwargs=None, **options):
        years.append(args[0])
        tasks.due_dates_recompute_task.run(*args)

    monkeypatch.setattr(tasks.due_dates_recompute_task, "apply_async", run)
    return years


def test_a_year_shows_its_overrides_grouped_by_month_and_its_coverage(staff_client, staff_user):
    # Given three overrides in 2027 and one in 2028
    for day, kind, note in [
        ("2027-02-06", "holiday", "春节"),
        ("2027-02-14", "working_day", "春节调休"),
        ("2027-05-01", "holiday", "劳动节"),
        ("2028-01-01", "holiday", "元旦"),
    ]:
        calendar_override_save(actor=staff_user, date=dt.date.fromisoformat(day), kind=kind, note=note)

    # When staff open 2027
    page = staff_client.get(CALENDAR, {"year": 2027}).content.decode()

    # Then they see 2027's overrides under their months, not 2028's
    assert page.count('data-testid="month"') == 2
    assert ">2027-02<" in page and ">2027-05<" in page
    assert 'data-date="2027-02-14" data-kind="working_day"' in page
    assert "春节调休" in page and "劳动节" in page and "元旦" not in page
    # and which years the package covers, and which are provisional
    assert 'data-year="2026" data-source="package"' in page
    assert 'data-year="2027" data-source="overrides"' in page
    assert 'data-year="2028" data-source="overrides"' in page
    # and the forms to add one date or a range, and to paste the schedule
    assert 'data-testid="override-form"' in page and 'data-testid="import-form"' in page


def test_a_year_without_data_is_shown_provisional(staff_client):
    page = staff_client.get(CALENDAR, {"year": 2030}).content.decode()
    assert 'data-testid="year-source" data-source="fallback" data-provisional="true"' in page
    assert "No overrides in 2030" in page


def test_adding_a_holiday_makes_a_provisional_due_date_final_and_says_so(
    staff_client, consumed, vendor, submit, recompute, django_capture_on_commit_callbacks
):
    # Given a request whose mail-by date in January 2027 is provisional
    request = submit(consumed, vendor, now=LATE_DECEMBER)
    assert request.dispatch_due_date_provisional
    before = request.dispatch_due_date

    # When staff declare Monday 2027-01-04 a holiday through the page
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            CALENDAR, {"date": "2027-01-04", "kind": "holiday", "note": "元旦调整"}, follow=True
        )

    # Then the page says it was saved and what happens next
    page = response.content.decode()
    assert "2027-01-04 saved as Holiday (no work)." in page
    assert "mail-by dates are being recomputed" in page
    assert 'data-date="2027-01-04" data-kind="holiday"' in page
    # and the recompute for 2027 ran after the commit: 2027 now follows the overrides (Jan 4 is a holiday, and New
    # Year's Day, not entered, still is one), so the date moves a day and is final, and the change is on the timeline
    assert recompute == [2027]
    after = fresh(request)
    assert (before, after.dispatch_due_date) == (dt.date(2027, 1, 12), dt.date(2027, 1, 13))
    assert not after.dispatch_due_date_provisional
    assert InvoiceEvent.objects.filter(request=request, kind=InvoiceEvent.Kind.DUE_DATE_CHANGED).count() == 1
    # and the change is audited with who made it
    assert AuditLog.objects.filter(action="calendar_override_created").count() == 1


def test_a_range_is_saved_at_once_with_one_recompute(staff_client, recompute, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            CALENDAR,
            {"date": "2027-02-06", "end_date": "2027-02-12", "kind": "holiday", "note": "春节"},
            follow=True,
        )

    assert "2027-02-06 to 2027-02-12 (7 days) saved as Holiday (no work)." in response.content.decode()
    assert list(CalendarOverride.objects.values_list("date", flat=True)) == [
        dt.date(2027, 2, 6) + dt.timedelta(days=offset) for offset in range(7)
    ]
    assert set(CalendarOverride.objects.values_list("note", flat=True)) == {"春节"}
    assert recompute == [2027]


@pytest.mark.parametrize(
    ("data", "field_error"),
    [
        ({"date": "2027-02-12", "end_date": "2027-02-06", "kind": "holiday"}, "The end date is before the start date."),
        ({"date": "2027-01-01", "end_date": "2027-03-01", "kind": "holiday"}, "A range covers at most 31 days"),
        ({"date": "", "kind": "holiday"}, "This field is required."),
        ({"date": "1999-01-01", "kind": "holiday"}, "Enter a date between 2000 and 2099."),
        # The last days of the calendar: no next day to step to.
        ({"date": "9999-12-20", "end_date": "9999-12-31", "kind": "holiday"}, "Enter a date between 2000 and 2099."),
    ],
)
def test_a_wrong_form_says_what_is_wrong_and_keeps_the_input(staff_client, data, field_error):
    response = staff_client.post(CALENDAR, {**data, "note": "备注"})

    assert response.status_code == 200
    page = response.content.decode()
    assert field_error in page
    assert 'value="备注"' in page
    assert not CalendarOverride.objects.exists()


def test_pasting_the_state_council_schedule_saves_every_line(
    staff_client, recompute, django_capture_on_commit_callbacks
):
    lines = "2027-02-06..2027-02-12 holiday 春节\n2027-02-14 working_day 春节调休\n2027-02-20 班 春节调休\n"
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(reverse("staffconsole:calendar_import"), {"lines": lines}, follow=True)

    page = response.content.decode()
    assert "9 dates saved from the schedule (0 already as given)." in page
    assert "mail-by dates are being recomputed" in page
    assert response.redirect_chain[-1][0] == f"{CALENDAR}?year=2027"
    assert CalendarOverride.objects.filter(kind="working_day").count() == 2
    assert recompute == [2027]


def test_a_bad_schedule_line_is_shown_and_nothing_is_saved(staff_client):
    lines = "2027-02-06..2027-02-12 holiday 春节\n2027-02-31 holiday oops\n"
    response = staff_client.post(reverse("staffconsole:calendar_import"), {"lines": lines})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Line 2:" in page
    assert "2027-02-31 holiday oops" in page  # what staff pasted stays in the box
    assert not CalendarOverride.objects.exists()


def test_a_paste_of_thousands_of_lines_is_refused_at_once_and_nothing_is_saved(staff_client):
    start = dt.date(2040, 1, 1)
    lines = "\n".join(f"{start + dt.timedelta(days=i):%Y-%m-%d} holiday" for i in range(10_000))
    response = staff_client.post(reverse("staffconsole:calendar_import"), {"lines": lines})

    assert response.status_code == 200
    assert "At most 366 dates at once" in response.content.decode()
    assert not CalendarOverride.objects.exists()


def test_editing_an_override_changes_it_and_recomputes(
    staff_client, staff_user, recompute, django_capture_on_commit_callbacks
):
    override = calendar_override_save(actor=staff_user, date=dt.date(2027, 2, 14), kind="holiday", note="错")
    url = reverse("staffconsole:calendar_edit", args=[override.pk])
    assert 'value="2027-02-14"' in staff_client.get(url).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            url, {"date": "2027-02-14", "kind": "working_day", "note": "春节调休"}, follow=True
        )

    assert "2027-02-14 is now Working day (make-up day)." in response.content.decode()
    override.refresh_from_db()
    assert (override.kind, override.note) == ("working_day", "春节调休")
    assert recompute == [2027]


def test_deleting_asks_first_then_deletes(staff_client, staff_user, recompute, django_capture_on_commit_callbacks):
    override = calendar_override_save(actor=staff_user, date=dt.date(2027, 10, 9), kind="working_day", note="国庆调休")
    url = reverse("staffconsole:calendar_delete", args=[override.pk])

    # The link leads to a confirmation that says what the date becomes; nothing is deleted yet
    confirmation = staff_client.get(url).content.decode()
    assert "follows the calendar package again" in confirmation
    assert 'data-testid="confirm-delete"' in confirmation
    assert CalendarOverride.objects.filter(pk=override.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url, follow=True)

    assert "The override of 2027-10-09 is deleted" in response.content.decode()
    assert not CalendarOverride.objects.filter(pk=override.pk).exists()
    assert recompute == [2027]


def test_an_unknown_override_is_a_404(staff_client):
    assert staff_client.get(reverse("staffconsole:calendar_edit", args=[999999])).status_code == 404
    assert staff_client.post(reverse("staffconsole:calendar_delete", args=[999999])).status_code == 404


def test_the_calendar_page_runs_a_fixed_number_of_queries(staff_client, staff_user, django_assert_max_num_queries):
    # Given a year full of overrides
    for offset in range(40):
        calendar_override_save(
            actor=staff_user, date=dt.date(2027, 1, 1) + dt.timedelta(days=offset * 7), kind="holiday"
        )
    staff_client.get(CALENDAR, {"year": 2027})  # warm the process's calendar cache

    # Then the page's queries do not grow with them
    with django_assert_max_num_queries(8):
        response = staff_client.get(CALENDAR, {"year": 2027})
    assert response.content.decode().count('data-testid="override-row"') == 40
