import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from apps.core.workdays import DueDate, Override, WorkingCalendar, add_working_days, working_days_between
from apps.invoices.services import dispatch_due_date_for

SHANGHAI = ZoneInfo("Asia/Shanghai")


# November and December 2026 have no public holiday: the count is plain Monday–Friday there.
pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (dt.date(2026, 11, 27), 10, dt.date(2026, 12, 11)),  # Friday -> Friday two weeks later
        (dt.date(2026, 11, 28), 1, dt.date(2026, 11, 30)),  # Saturday -> Monday is day 1
        (dt.date(2026, 11, 29), 1, dt.date(2026, 11, 30)),  # Sunday -> Monday is day 1
        (dt.date(2026, 11, 28), 10, dt.date(2026, 12, 11)),  # Saturday + 10 -> the Friday after next
        (dt.date(2026, 11, 30), 10, dt.date(2026, 12, 14)),  # Monday -> Monday two weeks later
        (dt.date(2026, 11, 26), 10, dt.date(2026, 12, 10)),  # Thursday -> Thursday two weeks later
        (dt.date(2026, 11, 27), 0, dt.date(2026, 11, 27)),
    ],
)
def test_add_working_days_counts_weekdays_after_the_start_date(start, days, expected):
    # given a start date and a number of working days
    # when they are added
    # then day 1 is the first weekday after the start date
    assert add_working_days(start, days) == expected


def test_working_days_between_counts_both_directions():
    # given a Friday and the Friday two weeks later
    friday, later = dt.date(2026, 11, 27), dt.date(2026, 12, 11)
    # when the working days between them are counted
    # then there are 10, and -10 the other way round
    assert working_days_between(friday, later) == 10
    assert working_days_between(later, friday) == -10
    assert working_days_between(friday, friday) == 0


def test_dispatch_due_date_is_ten_working_days_after_a_friday_submission():
    # given a request submitted on Friday 2026-11-27 at 10:00 in Shanghai
    submitted_at = dt.datetime(2026, 11, 27, 10, 0, tzinfo=SHANGHAI)
    # when its dispatch due date is computed
    # then the vendor must mail it by Friday 2026-12-11
    assert dispatch_due_date_for(submitted_at) == DueDate(dt.date(2026, 12, 11), provisional=False)


def test_dispatch_due_date_uses_the_shanghai_calendar_date_not_utc():
    # given a request submitted at 20:00 UTC on Sunday 11-29, which is already Monday 04:00 in Shanghai
    submitted_at = dt.datetime(2026, 11, 29, 20, 0, tzinfo=dt.UTC)
    # when its dispatch due date is computed
    # then the submission date is Monday: Tuesday is day 1 and day 10 is Monday 12-14 (not Friday 12-11)
    assert dispatch_due_date_for(submitted_at).date == dt.date(2026, 12, 14)
    # and a Shanghai Friday-01:00 submission, still Thursday in UTC, counts from Friday
    assert dispatch_due_date_for(dt.datetime(2026, 11, 27, 1, 0, tzinfo=SHANGHAI)).date == dt.date(2026, 12, 11)


def test_dispatch_due_date_ignores_the_time_zone_a_request_activated():
    # given a request that activated the New York time zone, and a Monday-09:00 submission in Shanghai
    submitted_at = dt.datetime(2026, 11, 30, 9, 0, tzinfo=SHANGHAI)  # Sunday 20:00 in New York
    # when its dispatch due date is computed
    with timezone.override(ZoneInfo("America/New_York")):
        due = dispatch_due_date_for(submitted_at).date
    # then the Shanghai date (Monday) counts
    assert due == dt.date(2026, 12, 14)


# --- working_days_between from running counts: the same as counting day by day ---------------------------------------

_days = st.dates(min_value=dt.date(2003, 1, 1), max_value=dt.date(2028, 12, 31))


@settings(max_examples=300, deadline=None)
@given(
    start=_days,
    end=_days,
    overrides=st.dictionaries(_days, st.sampled_from(["holiday", "working_day"]), max_size=6),
)
def test_working_days_between_is_the_day_by_day_count(start, end, overrides):
    calendar = WorkingCalendar({day: Override(kind) for day, kind in overrides.items()})
    low, high = sorted((start, end))
    by_hand = sum(calendar.day(low + dt.timedelta(days=n)).working for n in range(1, (high - low).days + 1))
    assert calendar.working_days_between(start, end) == (by_hand if start <= end else -by_hand)
