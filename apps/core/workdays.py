"""Working days in Asia/Shanghai.

A working day is Monday to Friday: public holidays and make-up working days (调休) are not known to it, so around a
holiday a mail-by date can differ from the official calendar.
Day 1 is the first working day after the submission date.
"""

import datetime as dt
from zoneinfo import ZoneInfo

DISPATCH_WORKING_DAYS = 10
# Working days are mainland-China calendar days, whatever time zone the current request activated.
CALENDAR_TIME_ZONE = ZoneInfo("Asia/Shanghai")


def calendar_date(moment: dt.datetime) -> dt.date:
    """The Asia/Shanghai calendar date of an aware datetime."""
    return moment.astimezone(CALENDAR_TIME_ZONE).date()


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5


def add_working_days(start: dt.date, days: int) -> dt.date:
    current = start
    counted = 0
    while counted < days:
        current += dt.timedelta(days=1)
        if is_working_day(current):
            counted += 1
    return current


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end`; negative when `end` is before `start`."""
    if end < start:
        return -working_days_between(end, start)
    count = 0
    current = start
    while current < end:
        current += dt.timedelta(days=1)
        if is_working_day(current):
            count += 1
    return count
