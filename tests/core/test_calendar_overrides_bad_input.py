"""Calendar overrides under careless or hostile input: the end of time, a huge paste, the same date saved twice at
once. Each is refused (or merged) with a message; nothing is half-written and nothing answers 500."""

import datetime as dt

import pytest

from apps.core.errors import ApplicationError
from apps.core.models import CalendarOverride
from apps.core.services import MAX_IMPORT_DATES, calendar_override_save, calendar_overrides_import
from tests.helpers import run_together

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("lines", ["9999-12-31 holiday", "9999-12-30..9999-12-31 holiday", "0001-01-01 holiday"])
def test_a_schedule_at_the_ends_of_the_calendar_is_refused_not_crashed(staff_user, lines):
    with pytest.raises(ApplicationError) as error:
        calendar_overrides_import(actor=staff_user, lines=lines)
    assert set(error.value.fields) == {"date"}
    assert not CalendarOverride.objects.exists()


def test_a_paste_of_more_than_a_year_of_dates_is_refused_and_saves_nothing(staff_user):
    # given 10,000 valid lines (a mistaken paste: a year's schedule is a few dozen dates)
    start = dt.date(2040, 1, 1)
    lines = "\n".join(f"{start + dt.timedelta(days=i):%Y-%m-%d} holiday" for i in range(10_000))
    # when / then
    with pytest.raises(ApplicationError) as error:
        calendar_overrides_import(actor=staff_user, lines=lines)
    assert error.value.code == "too_many_calendar_lines"
    assert str(MAX_IMPORT_DATES) in error.value.fields["lines"][0]
    assert not CalendarOverride.objects.exists()


def test_a_whole_year_in_ranges_is_still_accepted(staff_user):
    # 2031 in 12 monthly ranges: 365 dates, the most a paste may hold
    lines = "\n".join(
        f"2031-{month:02d}-01..{dt.date(2031 + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1):%Y-%m-%d} holiday"
        for month in range(1, 13)
    )
    result = calendar_overrides_import(actor=staff_user, lines=lines)
    assert result.created == 365


@pytest.mark.django_db(transaction=True)
def test_the_same_date_saved_at_the_same_moment_ends_as_one_override(staff_user):
    for round_number in range(5):
        day = dt.date(2027, 3, 1 + round_number)

        def save(index: int, day: dt.date = day) -> str:
            return calendar_override_save(actor=staff_user, date=day, kind="holiday", note=f"n{index}").note

        # when four staff sessions save the same date at once
        results = run_together(save, 4)
        # then each save succeeded (the later ones changed the first) and one override holds the date
        assert all(isinstance(result, str) and result.startswith("n") for result in results), results
        assert CalendarOverride.objects.filter(date=day).count() == 1
