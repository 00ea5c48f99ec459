"""The real mainland-China calendar: holidays and make-up days (调休) of 2024–2026, staff overrides that win, the
statutory fallback for a year nobody published yet (provisional), and the `working_days` command."""

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from apps.core.models import CalendarOverride
from apps.core.workdays import (
    DayKind,
    DueDate,
    WorkingCalendar,
    calendar_coverage,
    due_date_after,
    explain,
    is_working_day,
    working_days_between,
)
from apps.invoices.services import dispatch_due_date_for

SHANGHAI = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


@pytest.mark.parametrize(
    ("submitted", "due"),
    [
        # Spring Festival
        ("2024-02-02", "2024-02-21"),  # Feb 10–17 off; Sun Feb 4 and Sun Feb 18 worked
        ("2025-01-24", "2025-02-13"),  # Jan 28–Feb 4 off; Sun Jan 26 and Sat Feb 8 worked
        ("2026-02-13", "2026-03-05"),  # Feb 15–23 off; Sat Feb 14 and Sat Feb 28 worked
        # Qingming
        ("2024-04-03", "2024-04-18"),  # Apr 4–6 off; Sun Apr 7 worked
        ("2025-04-03", "2025-04-18"),  # Apr 4–6 off (Fri–Sun), no make-up day
        ("2026-04-02", "2026-04-17"),  # Apr 4–6 off (Sat–Mon)
        # May Day
        ("2024-04-26", "2024-05-13"),  # May 1–5 off; Sun Apr 28 and Sat May 11 worked
        ("2025-04-25", "2025-05-13"),  # May 1–5 off; Sun Apr 27 worked
        ("2026-04-24", "2026-05-12"),  # May 1–5 off; Sat May 9 worked
        # National Day
        ("2024-09-27", "2024-10-16"),  # Oct 1–7 off; Sun Sep 29 and Sat Oct 12 worked
        ("2025-09-26", "2025-10-16"),  # Oct 1–8 off (with Mid-Autumn); Sun Sep 28 and Sat Oct 11 worked
        ("2026-09-25", "2026-10-15"),  # Oct 1–7 off; Sat Oct 10 worked
    ],
)
def test_due_date_follows_the_holidays_and_make_up_days_of_2024_to_2026(submitted, due):
    # given a submission on the working days before a long holiday
    # when the 10th working day after it is counted
    # then the holidays are skipped, the make-up days count, and the date is final
    assert due_date_after(d(submitted), 10) == DueDate(d(due), provisional=False)


def test_a_sunday_make_up_day_counts_and_a_weekday_holiday_does_not():
    # given the 2025 National Day schedule
    # then Sunday 09-28 is a working day, Wednesday 10-01 is not, and a plain Sunday is not
    assert is_working_day(d("2025-09-28"))
    assert not is_working_day(d("2025-10-01"))
    assert not is_working_day(d("2025-10-12"))
    # and between Friday 09-26 and Thursday 10-16 there are exactly 10 working days (6 more than a naive count)
    assert working_days_between(d("2025-09-26"), d("2025-10-16")) == 10
    assert working_days_between(d("2025-10-16"), d("2025-09-26")) == -10


def test_a_saturday_submission_counts_from_the_next_working_day():
    # given a request submitted on Saturday 2025-11-15 in Shanghai (no holiday near)
    submitted_at = dt.datetime(2025, 11, 15, 10, 0, tzinfo=SHANGHAI)
    # when its due date is computed
    # then Monday 11-17 is day 1 and day 10 is Friday 11-28
    assert dispatch_due_date_for(submitted_at) == DueDate(d("2025-11-28"), provisional=False)
    assert explain(d("2025-11-15"), 1)[-1].date == d("2025-11-17")
    # and a Saturday before a Sunday make-up day counts that Sunday as day 1
    assert explain(d("2025-09-27"), 1)[-1].date == d("2025-09-28")


def test_a_submission_at_2330_utc_counts_from_the_next_shanghai_date():
    # given a submission at 23:30 UTC on Thursday 2025-09-25, already Friday 07:30 in Shanghai
    late_utc = dt.datetime(2025, 9, 25, 23, 30, tzinfo=dt.UTC)
    # when its due date is computed
    # then it counts from Friday 09-26, like a Friday submission: due 2025-10-16
    assert dispatch_due_date_for(late_utc).date == d("2025-10-16")
    # while 15:59 UTC the same Thursday (23:59 in Shanghai) is still Thursday: one working day earlier
    assert dispatch_due_date_for(dt.datetime(2025, 9, 25, 15, 59, tzinfo=dt.UTC)).date == d("2025-10-15")


def test_explain_says_why_each_day_counts_or_not():
    # given the 2025 National Day week
    days = explain(d("2025-09-26"), 10)
    reasons = {info.date: (info.working, info.reason) for info in days}
    # then each day has its reason
    assert reasons[d("2025-09-27")] == (False, DayKind.WEEKEND)
    assert reasons[d("2025-09-28")] == (True, DayKind.MAKE_UP_DAY)
    assert reasons[d("2025-09-29")] == (True, DayKind.WEEKDAY)
    assert reasons[d("2025-10-01")] == (False, DayKind.HOLIDAY)
    assert days[-1].date == d("2025-10-16")
    assert sum(info.working for info in days) == 10


# --- a year nobody published yet ------------------------------------------------------------------------------------


def test_a_year_the_package_does_not_cover_falls_back_to_statutory_holidays_and_is_provisional():
    # given 2027, which chinesecalendar 1.11 does not cover and no override touches
    # when a submission of Thursday 2026-12-24 is counted into it
    due = due_date_after(d("2026-12-24"), 10)
    # then New Year's Day (Friday 2027-01-01) is still a holiday, weekdays count, and the date is provisional
    assert due == DueDate(d("2027-01-08"), provisional=True)
    info = {day.date: day for day in explain(d("2026-12-24"), 10)}
    assert info[d("2027-01-01")].reason == DayKind.FALLBACK_HOLIDAY
    assert info[d("2027-01-04")].reason == DayKind.FALLBACK_WEEKDAY
    assert not info[d("2026-12-31")].provisional
    # and lunar holidays are computed: the 2027 Spring Festival (Feb 6) and Mid-Autumn (Sep 15) are days off
    assert not is_working_day(d("2027-02-08"))  # Monday, the third day of the Spring Festival
    assert not is_working_day(d("2027-09-15"))  # Wednesday, Mid-Autumn
    assert is_working_day(d("2027-09-16"))


def test_a_due_date_that_ends_before_the_uncovered_year_is_final():
    # given a submission whose 10 working days all fall in 2026
    # then its due date is final
    assert due_date_after(d("2026-12-02"), 10) == DueDate(d("2026-12-16"), provisional=False)


# --- overrides -------------------------------------------------------------------------------------------------------


def test_an_override_wins_over_the_package(staff_user):
    # given staff declaring Tuesday 2025-10-14 a holiday and Sunday 2025-10-12 a working day (a made-up change)
    CalendarOverride.objects.create(date=d("2025-10-14"), kind="holiday", note="test")
    CalendarOverride.objects.create(date=d("2025-10-12"), kind="working_day", note="test")
    # when the 2025 National Day example is counted again
    days = {info.date: info for info in explain(d("2025-09-26"), 10)}
    # then the overrides decide those two dates (the Sunday counts, the Tuesday does not): still due 10-16
    assert (days[d("2025-10-12")].working, days[d("2025-10-12")].reason) == (True, DayKind.OVERRIDE_WORKING_DAY)
    assert (days[d("2025-10-14")].working, days[d("2025-10-14")].reason) == (False, DayKind.OVERRIDE_HOLIDAY)
    assert due_date_after(d("2025-09-26"), 10) == DueDate(d("2025-10-16"), provisional=False)
    # and without the holiday, the Sunday alone brings it one day forward
    CalendarOverride.objects.filter(date=d("2025-10-14")).delete()
    assert due_date_after(d("2025-09-26"), 10) == DueDate(d("2025-10-15"), provisional=False)
    # and an override on a package holiday makes it a working day
    CalendarOverride.objects.create(date=d("2025-10-08"), kind="working_day")
    assert is_working_day(d("2025-10-08"))


def test_a_year_with_overrides_is_covered_and_final():
    # given staff entering 2027's New Year's Day and a Saturday make-up day
    CalendarOverride.objects.create(date=d("2027-01-01"), kind="holiday", note="元旦")
    CalendarOverride.objects.create(date=d("2027-01-02"), kind="working_day", note="调休")
    # when the 2026-12-24 submission is counted
    # then the Saturday counts and the date is final
    assert due_date_after(d("2026-12-24"), 10) == DueDate(d("2027-01-07"), provisional=False)
    # and the coverage says which source decides each year
    coverage = {row.year: row for row in calendar_coverage(years=[2003, 2004, 2026, 2027, 2028])}
    assert [coverage[year].source for year in (2003, 2004, 2026, 2027, 2028)] == [
        "fallback",
        "package",
        "package",
        "overrides",
        "fallback",
    ]
    assert coverage[2028].provisional and not coverage[2027].provisional
    # and by default it runs from the package's first year to next year at least
    years = [row.year for row in calendar_coverage(today=d("2026-12-02"))]
    assert years[0] == 2004 and years[-1] == 2027


def test_one_calendar_answers_any_number_of_dates_with_one_query(django_assert_num_queries):
    # given overrides for 2027
    CalendarOverride.objects.create(date=d("2027-01-01"), kind="holiday")
    # when one calendar is loaded and asked about 20 submissions
    with django_assert_num_queries(1):
        calendar = WorkingCalendar.load()
        answers = [calendar.due_date_after(d("2026-12-01") + dt.timedelta(days=n), 10) for n in range(20)]
    # then every answer came from that one query
    assert len(answers) == 20


def test_the_process_calendar_reloads_when_an_override_changes(django_assert_num_queries):
    # given the process calendar, loaded once
    assert due_date_after(d("2026-12-24"), 10).provisional
    with django_assert_num_queries(0):
        for n in range(20):
            working_days_between(d("2026-12-01"), d("2027-01-10") + dt.timedelta(days=n))
    # when staff add an override for 2027
    CalendarOverride.objects.create(date=d("2027-01-01"), kind="holiday")
    # then the next question sees it (one reload)
    with django_assert_num_queries(1):
        assert not due_date_after(d("2026-12-24"), 10).provisional


def test_a_change_made_by_another_process_is_seen_once_it_bumps_the_version(django_assert_num_queries, monkeypatch):
    import time

    from django.core.cache import cache

    from apps.core import workdays
    from apps.core.workdays import VERSION_CACHE_KEY, VERSION_CHECK_SECONDS

    # given this process's calendar, loaded
    assert due_date_after(d("2026-12-24"), 10).provisional
    # and an override written without this process hearing of it (bulk_create sends no signal here)
    CalendarOverride.objects.bulk_create([CalendarOverride(date=d("2027-01-01"), kind="holiday")])
    with django_assert_num_queries(0):
        assert due_date_after(d("2026-12-24"), 10).provisional
    # when the other process bumps the shared version (as its commit does)
    cache.set(VERSION_CACHE_KEY, "bumped-by-another-process", timeout=None)
    # then this process reloads and sees 2027 covered, once its short version-check interval has passed
    started = time.monotonic()
    monkeypatch.setattr(workdays.time, "monotonic", lambda: started + VERSION_CHECK_SECONDS + 0.1)
    with django_assert_num_queries(1):
        assert not due_date_after(d("2026-12-24"), 10).provisional


# --- the command -----------------------------------------------------------------------------------------------------


def run_command(*args) -> str:
    out = StringIO()
    call_command("working_days", *args, stdout=out)
    return out.getvalue()


def test_command_prints_the_due_date():
    # when staff ask when a Friday 2025-09-26 submission is due
    # then the command prints 2025-10-16, and nothing about being provisional
    assert run_command("2025-09-26", "10") == "2025-10-16\n"
    # and 10 is the default
    assert run_command("2025-09-26") == "2025-10-16\n"


def test_command_says_provisional_for_a_year_without_a_schedule():
    output = run_command("2026-12-24", "10")
    assert output.startswith("2027-01-08 provisional")
    assert "2027" in output.split("provisional", 1)[1]


def test_command_explain_lists_each_day_and_why():
    # when staff ask for the explanation of the 2025 National Day example
    lines = run_command("2025-09-26", "10", "--explain").splitlines()
    # then each day from 09-27 to 10-16 has its line with the reason, and the due date comes last
    assert lines[0].startswith("Submitted 2025-09-26 (Fri)")
    by_date = {line.split()[0]: line for line in lines[1:-1]}
    assert len(by_date) == 20
    assert "skipped" in by_date["2025-09-27"] and "weekend" in by_date["2025-09-27"]
    assert "day 1" in by_date["2025-09-28"] and "make-up day (National Day)" in by_date["2025-09-28"]
    assert "day 2" in by_date["2025-09-29"] and "weekday" in by_date["2025-09-29"]
    assert "skipped" in by_date["2025-10-01"] and "holiday (National Day)" in by_date["2025-10-01"]
    assert "day 10" in by_date["2025-10-16"]
    assert lines[-1] == "2025-10-16"


def test_command_explain_names_overrides_and_the_fallback():
    CalendarOverride.objects.create(date=d("2025-12-31"), kind="holiday", note="company test")
    lines = run_command("2025-12-24", "10", "--explain").splitlines()
    by_date = {line.split()[0]: line for line in lines[1:-1]}
    assert "override: holiday (company test)" in by_date["2025-12-31"]
    lines = run_command("2026-12-24", "10", "--explain").splitlines()
    by_date = {line.split()[0]: line for line in lines[1:-1]}
    assert "fallback: statutory holiday (New Year's Day)" in by_date["2027-01-01"]
    assert "fallback: weekday" in by_date["2027-01-04"]


def test_command_refuses_a_malformed_date():
    with pytest.raises(CommandError):
        run_command("2025/09/26", "10")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("abc", "10"), "Write the date as YYYY-MM-DD"),
        (("2025-02-30",), "Write the date as YYYY-MM-DD"),
        (("9999-12-31", "10"), "Enter a date between 2000 and 2099."),
        (("0001-01-01", "10"), "Enter a date between 2000 and 2099."),
        (("2025-09-26", "99999999"), "At most 366 working days."),
        (("2025-09-26", "-1"), "cannot be negative"),
    ],
)
def test_command_refuses_bad_arguments_with_a_message(args, message):
    with pytest.raises(CommandError, match=message):
        run_command(*args)
