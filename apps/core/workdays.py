"""Mainland-China working days in Asia/Shanghai.

Which days are worked, in order of precedence:

1. a staff override (`CalendarOverride`: a date declared a holiday or a working day, e.g. next year's State Council
   schedule entered before the package knows it);
2. the `chinesecalendar` package for the years it covers (public holidays and make-up working days, 调休);
3. for a year neither covers: the statutory holidays computed by the `holidays` package (Spring Festival, Qingming,
   May Day, Dragon Boat, Mid-Autumn, National Day, lunar dates included, but no make-up days) over Monday–Friday.
   Such a day is *provisional*: a due date counted over it is stored as provisional until staff enter the year.

A year with at least one override counts as covered by the overrides: its due dates are final. A day without an
override there is still a statutory holiday when it is one, so a schedule entered in part (Spring Festival first)
never turns New Year's Day into a working day; otherwise it is Monday–Friday.
Day 1 is the first working day after the submission date (submitted on Saturday -> Monday is day 1).

Reading: `current_calendar()` returns a `WorkingCalendar` holding every override (one query), kept per process and
reloaded when the version key in Django's cache changes; every write to the overrides bumps that key (now and again
on commit), so lists can ask for working days per row without a query per row. The module functions
(`is_working_day`, `add_working_days`, `working_days_between`, `due_date_after`, `explain`) use it.
"""

import datetime as dt
import logging
import threading
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from chinese_calendar import constants as package_data
from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

DISPATCH_WORKING_DAYS = 10
# Working days are mainland-China calendar days, whatever time zone the current request activated.
CALENDAR_TIME_ZONE = ZoneInfo("Asia/Shanghai")


def calendar_date(moment: dt.datetime) -> dt.date:
    """The Asia/Shanghai calendar date of an aware datetime."""
    return moment.astimezone(CALENDAR_TIME_ZONE).date()


class DayKind(StrEnum):
    """Why a day is or is not a working day (`DayInfo.reason`)."""

    WEEKDAY = "weekday"
    WEEKEND = "weekend"
    HOLIDAY = "holiday"  # a public holiday from chinesecalendar
    MAKE_UP_DAY = "make_up_day"  # a weekend day worked (调休), from chinesecalendar
    OVERRIDE_HOLIDAY = "override_holiday"
    OVERRIDE_WORKING_DAY = "override_working_day"
    FALLBACK_HOLIDAY = "fallback_holiday"  # a statutory holiday of a year no data covers (`holidays` package)
    FALLBACK_WEEKDAY = "fallback_weekday"
    FALLBACK_WEEKEND = "fallback_weekend"


class CoverageSource(StrEnum):
    PACKAGE = "package"
    OVERRIDES = "overrides"
    FALLBACK = "fallback"


@dataclass(frozen=True)
class DayInfo:
    date: dt.date
    working: bool
    reason: str  # a DayKind value
    provisional: bool
    note: str = ""


@dataclass(frozen=True)
class DueDate:
    date: dt.date
    provisional: bool


@dataclass(frozen=True)
class YearCoverage:
    year: int
    source: str  # a CoverageSource value
    provisional: bool


# --- the data sources ---------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def package_years() -> frozenset[int]:
    """The years chinesecalendar has the State Council schedule for (2004–2026 in 1.11.0)."""
    return frozenset(day.year for day in (*package_data.holidays, *package_data.workdays))


@lru_cache(maxsize=128)
def statutory_holidays(year: int) -> Mapping[dt.date, str]:
    """The statutory public holidays of a year (lunar dates computed), without observed or substituted days off:
    those come with make-up days that only the published schedule knows."""
    computed = holidays.country_holidays("CN", years=year, observed=False, language="en_US")
    return {day: name for day, name in computed.items() if not name.startswith("Day off")}


def _package_day(day: dt.date) -> DayInfo:
    if day in package_data.workdays:
        return DayInfo(day, True, DayKind.MAKE_UP_DAY, False, package_data.workdays[day])
    if day in package_data.holidays:
        return DayInfo(day, False, DayKind.HOLIDAY, False, package_data.holidays[day])
    if day.weekday() >= 5:
        return DayInfo(day, False, DayKind.WEEKEND, False)
    return DayInfo(day, True, DayKind.WEEKDAY, False)


def _fallback_day(day: dt.date) -> DayInfo:
    name = statutory_holidays(day.year).get(day)
    if name is not None:
        return DayInfo(day, False, DayKind.FALLBACK_HOLIDAY, True, name)
    if day.weekday() >= 5:
        return DayInfo(day, False, DayKind.FALLBACK_WEEKEND, True)
    return DayInfo(day, True, DayKind.FALLBACK_WEEKDAY, True)


# --- the calendar -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Override:
    kind: str  # CalendarOverride.Kind value: "holiday" or "working_day"
    note: str = ""


class WorkingCalendar:
    """Working days with a fixed set of overrides: build one (`load()`, one query) and ask it for any dates."""

    def __init__(self, overrides: Mapping[dt.date, Override] | None = None):
        self._overrides = dict(overrides or {})
        self._override_years = frozenset(day.year for day in self._overrides)
        self._days: dict[dt.date, DayInfo] = {}
        # year -> running count of working days: [0, after Jan 1, after Jan 2, ...] (working_days_between)
        self._year_counts: dict[int, list[int]] = {}

    @classmethod
    def load(cls) -> "WorkingCalendar":
        """Every override (a few dozen rows a year) in one query."""
        from .models import CalendarOverride

        rows = CalendarOverride.objects.values_list("date", "kind", "note")
        return cls({day: Override(kind, note) for day, kind, note in rows})

    def year_source(self, year: int) -> CoverageSource:
        if year in package_years():
            return CoverageSource.PACKAGE
        if year in self._override_years:
            return CoverageSource.OVERRIDES
        return CoverageSource.FALLBACK

    def day(self, day: dt.date) -> DayInfo:
        info = self._days.get(day)
        if info is None:
            info = self._days[day] = self._compute(day)
        return info

    def _compute(self, day: dt.date) -> DayInfo:
        override = self._overrides.get(day)
        if override is not None:
            if override.kind == "working_day":
                return DayInfo(day, True, DayKind.OVERRIDE_WORKING_DAY, False, override.note)
            return DayInfo(day, False, DayKind.OVERRIDE_HOLIDAY, False, override.note)
        source = self.year_source(day.year)
        if source == CoverageSource.PACKAGE:
            return _package_day(day)
        if source == CoverageSource.OVERRIDES:
            name = statutory_holidays(day.year).get(day)
            if name is not None:
                return DayInfo(day, False, DayKind.HOLIDAY, False, name)
            weekend = day.weekday() >= 5
            return DayInfo(day, not weekend, DayKind.WEEKEND if weekend else DayKind.WEEKDAY, False)
        return _fallback_day(day)

    def is_working_day(self, day: dt.date) -> bool:
        return self.day(day).working

    def explain(self, start: dt.date, days: int) -> list[DayInfo]:
        """Each day after `start` up to the `days`-th working day, counted or skipped, with why."""
        if days < 0:
            raise ValueError("days must not be negative")
        explained: list[DayInfo] = []
        counted = 0
        current = start
        while counted < days:
            current += dt.timedelta(days=1)
            info = self.day(current)
            explained.append(info)
            counted += info.working
        return explained

    def due_date_after(self, start: dt.date, days: int) -> DueDate:
        """The `days`-th working day after `start`; provisional when any day counted or skipped is."""
        explained = self.explain(start, days)
        if not explained:
            return DueDate(start, False)
        return DueDate(explained[-1].date, any(info.provisional for info in explained))

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        return self.due_date_after(start, days).date

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end`; negative when `end` is before `start`.

        From running counts per year, built once per calendar: every list and queue row asks this (how many working
        days are left, or how late it is), and a request overdue for months would otherwise be counted day by day."""
        if end < start:
            return -self.working_days_between(end, start)
        if start.year == end.year:
            return self._working_days_through(end) - self._working_days_through(start)
        count = self._year_counts_of(start.year)[-1] - self._working_days_through(start)
        for year in range(start.year + 1, end.year):
            count += self._year_counts_of(year)[-1]
        return count + self._working_days_through(end)

    def _year_counts_of(self, year: int) -> list[int]:
        counts = self._year_counts.get(year)
        if counts is None:
            counts = [0]
            day = dt.date(year, 1, 1)
            while day.year == year:
                counts.append(counts[-1] + self.day(day).working)
                if day == dt.date.max:
                    break
                day += dt.timedelta(days=1)
            self._year_counts[year] = counts
        return counts

    def _working_days_through(self, day: dt.date) -> int:
        """Working days from 1 January of the day's year up to and including the day."""
        return self._year_counts_of(day.year)[day.timetuple().tm_yday]

    def coverage(self, years: Iterable[int]) -> list[YearCoverage]:
        result = []
        for year in years:
            source = self.year_source(year)
            result.append(YearCoverage(year, source, source == CoverageSource.FALLBACK))
        return result

    @property
    def override_years(self) -> frozenset[int]:
        return self._override_years


# --- the process cache --------------------------------------------------------------------------------------------

VERSION_CACHE_KEY = "workdays:overrides-version"
# Without a shared cache (local memory in `make run` on SQLite) processes cannot see each other's bumps: reload at
# least this often anyway.
LOCAL_MAX_AGE_SECONDS = 300
# Another process's change is looked for at most this often (one cache read), not on every request; the process
# that makes a change forgets its own calendar at once.
VERSION_CHECK_SECONDS = 2.0

_lock = threading.Lock()
_cached: dict = {"version": None, "loaded_at": 0.0, "checked_at": 0.0, "calendar": None}


def _shared_version() -> str | None:
    try:
        version = cache.get(VERSION_CACHE_KEY)
        if version is None:
            cache.add(VERSION_CACHE_KEY, uuid.uuid4().hex, timeout=None)
            version = cache.get(VERSION_CACHE_KEY)
        return version
    except Exception:  # noqa: BLE001 - the cache being down must not stop due dates; reload by age instead
        logger.warning("working-day calendar: cache unavailable, reloading overrides by age", exc_info=True)
        return None


def current_calendar() -> WorkingCalendar:
    """The calendar with today's overrides, loaded once per process and per overrides version."""
    now = time.monotonic()
    with _lock:
        calendar = _cached["calendar"]
        if (
            calendar is not None
            and now - _cached["checked_at"] < VERSION_CHECK_SECONDS
            and now - _cached["loaded_at"] < LOCAL_MAX_AGE_SECONDS
        ):
            return calendar
    version = _shared_version()
    with _lock:
        calendar = _cached["calendar"]
        fresh = (
            calendar is not None
            and version is not None
            and _cached["version"] == version
            and now - _cached["loaded_at"] < LOCAL_MAX_AGE_SECONDS
        )
        if fresh:
            _cached["checked_at"] = now
            return calendar
    calendar = WorkingCalendar.load()
    with _lock:
        checked_at = now if version is not None else 0.0  # with the cache down, ask it again next time
        _cached.update(version=version, loaded_at=now, checked_at=checked_at, calendar=calendar)
    return calendar


def calendar_cache_clear() -> None:
    """Forget this process's calendar (tests call it between tests: a rolled-back override bumps nothing)."""
    with _lock:
        _cached.update(version=None, loaded_at=0.0, checked_at=0.0, calendar=None)


def calendar_overrides_changed() -> None:
    """Every process reloads the overrides: bump the version now (this transaction reads its own change) and again
    once it commits (so no process keeps what it read between the two). A change rolled back after the first bump
    may stay cached in a process that read it meanwhile, at most LOCAL_MAX_AGE_SECONDS."""

    def bump() -> None:
        calendar_cache_clear()
        try:
            cache.set(VERSION_CACHE_KEY, uuid.uuid4().hex, timeout=None)
        except Exception:  # noqa: BLE001 - see _shared_version: processes then reload by age
            logger.warning("working-day calendar: could not bump the overrides version", exc_info=True)

    bump()
    transaction.on_commit(bump)


def overrides_changed_receiver(sender, **kwargs) -> None:
    """post_save / post_delete of CalendarOverride (the staff console, the admin, the shell, tests)."""
    calendar_overrides_changed()


# --- module functions on the current calendar ---------------------------------------------------------------------


def is_working_day(day: dt.date) -> bool:
    return current_calendar().is_working_day(day)


def add_working_days(start: dt.date, days: int) -> dt.date:
    return current_calendar().add_working_days(start, days)


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end`; negative when `end` is before `start`."""
    return current_calendar().working_days_between(start, end)


def due_date_after(start: dt.date, days: int) -> DueDate:
    return current_calendar().due_date_after(start, days)


def explain(start: dt.date, days: int) -> list[DayInfo]:
    return current_calendar().explain(start, days)


def calendar_coverage(*, years: Iterable[int] | None = None, today: dt.date | None = None) -> list[YearCoverage]:
    """Which source decides each year's working days and whether due dates in it are provisional: by default from
    the package's first year to next year (or the last year with overrides, if later)."""
    calendar = current_calendar()
    if years is None:
        today = today or calendar_date(dt.datetime.now(dt.UTC))
        last = max(today.year + 1, max(package_years()) + 1, *calendar.override_years)
        years = range(min(package_years()), last + 1)
    return calendar.coverage(years)
