"""`manage.py working_days 2025-09-26 10 [--explain]`: when is a request submitted on that date due?"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.workdays import DISPATCH_WORKING_DAYS, DayInfo, DayKind, WorkingCalendar

REASONS = {
    DayKind.WEEKDAY: gettext_lazy("weekday"),
    DayKind.WEEKEND: gettext_lazy("weekend"),
    DayKind.HOLIDAY: gettext_lazy("holiday"),
    DayKind.MAKE_UP_DAY: gettext_lazy("make-up day"),
    DayKind.OVERRIDE_HOLIDAY: gettext_lazy("override: holiday"),
    DayKind.OVERRIDE_WORKING_DAY: gettext_lazy("override: working day"),
    DayKind.FALLBACK_HOLIDAY: gettext_lazy("fallback: statutory holiday"),
    DayKind.FALLBACK_WEEKDAY: gettext_lazy("fallback: weekday"),
    DayKind.FALLBACK_WEEKEND: gettext_lazy("fallback: weekend"),
}


# Dates the calendar can answer about (as for overrides), and a count that ends within them: past these the answer is
# meaningless and counting day by day would run out of dates (9999-12-31) or of patience.
FIRST_YEAR, LAST_YEAR = 2000, 2099
MAX_DAYS = 366


def _date(value: str) -> dt.date:
    """Parsed in handle(), not by argparse, so a bad date is a one-line CommandError, not a traceback."""
    try:
        day = dt.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(_("Write the date as YYYY-MM-DD, e.g. 2025-09-26.")) from error
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise CommandError(_("Enter a date between %(first)s and %(last)s.") % {"first": FIRST_YEAR, "last": LAST_YEAR})
    return day


class Command(BaseCommand):
    help = (
        "Print the N-th mainland-China working day after a date (the mail-by date of a request submitted that day, "
        "Asia/Shanghai), and whether it is provisional; --explain lists every day counted or skipped and why."
    )

    def add_arguments(self, parser):
        parser.add_argument("start", help="submission date, YYYY-MM-DD (Asia/Shanghai)")
        parser.add_argument(
            "days", type=int, nargs="?", default=DISPATCH_WORKING_DAYS, help="working days (default 10)"
        )
        parser.add_argument("--explain", action="store_true", help="list each day counted or skipped, and why")

    def handle(self, *args, start: str, days: int, explain: bool, **options):
        start = _date(start)
        if days < 0:
            raise CommandError(_("The number of working days cannot be negative."))
        if days > MAX_DAYS:
            raise CommandError(_("At most %(count)s working days.") % {"count": MAX_DAYS})
        calendar = WorkingCalendar.load()
        explained = calendar.explain(start, days)
        due = calendar.due_date_after(start, days)
        if explain:
            self.stdout.write(
                _("Submitted %(date)s (%(weekday)s); day 1 is the first working day after it.")
                % {"date": f"{start:%Y-%m-%d}", "weekday": f"{start:%a}"}
            )
            counted = 0
            for info in explained:
                counted += info.working
                self.stdout.write(self._line(info, counted))
        line = f"{due.date:%Y-%m-%d}"
        if due.provisional:
            years = sorted({info.date.year for info in explained if info.provisional})
            # Translators: 暂定 — a mail-by date that may still move
            line += (
                " "
                + _("provisional")
                + " "
                + (
                    _("(no holiday schedule for %(years)s yet: statutory holidays over Monday–Friday)")
                    % {"years": ", ".join(str(year) for year in years)}
                )
            )
        self.stdout.write(line)

    def _line(self, info: DayInfo, counted: int) -> str:
        position = (_("day %(number)s") % {"number": counted}) if info.working else _("skipped")
        reason = str(REASONS[DayKind(info.reason)])
        if info.note:
            reason += f" ({info.note})"
        return f"  {info.date:%Y-%m-%d} {info.date:%a}  {position:<8} {reason}"
