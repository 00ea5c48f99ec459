"""Calendar overrides: staff declare dates holidays or working days (调休), e.g. next year's State Council schedule.

Every write is audited, makes every process reload the working-day calendar (apps.core.workdays) and, once the
transaction commits, recomputes the due dates of open requests that may depend on that year in the background
(apps.invoices.tasks.due_dates_recompute_task).
"""

import datetime as dt
import re
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .errors import ApplicationError, ConflictError, NotFoundError
from .models import CalendarOverride, audit
from .queue import enqueue_on_commit
from .validators import check_no_control_characters
from .workdays import calendar_overrides_changed

NOTE_MAX_LENGTH = 100  # the model field's max_length
FIRST_YEAR, LAST_YEAR = 2000, 2099  # a date outside is a typo, not a schedule


def _not_found() -> NotFoundError:
    return NotFoundError("calendar_override_not_found", _("No such calendar override."))


def _check_staff(actor) -> None:
    if not getattr(actor, "is_marketplace_staff", False):
        raise ApplicationError("staff_only", _("Only marketplace staff can change the working-day calendar."))


def _recompute_on_commit(years: set[int]) -> None:
    from apps.invoices.tasks import due_dates_recompute_task  # invoices depends on core, not the other way round

    for year in sorted(years):
        enqueue_on_commit(due_dates_recompute_task, year)


def _checked(*, date: dt.date, kind: str, note: str) -> tuple[str, str]:
    errors: dict[str, list[str]] = {}
    if not FIRST_YEAR <= date.year <= LAST_YEAR:
        errors["date"] = [_("Enter a date between %(first)s and %(last)s.") % {"first": FIRST_YEAR, "last": LAST_YEAR}]
    if kind not in CalendarOverride.Kind.values:
        errors["kind"] = [_("Choose holiday or working day.")]
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        errors["note"] = [_("At most %(count)s characters.") % {"count": NOTE_MAX_LENGTH}]
    if errors:
        raise ApplicationError("invalid_calendar_override", next(iter(errors.values()))[0], errors)
    check_no_control_characters({"note": note})
    return kind, note


def _save(*, actor, date: dt.date, kind: str, note: str) -> tuple[CalendarOverride, bool]:
    """Create or update the override of `date`; True when something changed."""
    override = CalendarOverride.objects.select_for_update().filter(date=date).first()
    if override is None:
        try:
            with transaction.atomic():
                override = CalendarOverride.objects.create(date=date, kind=kind, note=note, created_by=actor)
        except IntegrityError:
            # Someone saved this date at the same moment: theirs is there now, so this save changes it.
            override = CalendarOverride.objects.select_for_update().get(date=date)
        else:
            audit(actor=actor, action="calendar_override_created", obj=override, changes=_snapshot(override))
            return override, True
    before = _snapshot(override)
    if override.kind == kind and override.note == note:
        return override, False
    override.kind, override.note = kind, note
    override.save(update_fields=["kind", "note", "updated_at"])
    audit(
        actor=actor,
        action="calendar_override_updated",
        obj=override,
        changes={"before": before, "after": _snapshot(override)},
    )
    return override, True


def _snapshot(override: CalendarOverride) -> dict:
    return {"date": override.date.isoformat(), "kind": override.kind, "note": override.note}


@transaction.atomic
def calendar_override_save(*, actor, date: dt.date, kind: str, note: str = "") -> CalendarOverride:
    """Declare `date` a holiday or a working day (creates the override or updates the one of that date)."""
    _check_staff(actor)
    kind, note = _checked(date=date, kind=kind, note=note)
    override, changed = _save(actor=actor, date=date, kind=kind, note=note)
    if changed:
        calendar_overrides_changed()
        _recompute_on_commit({date.year})
    return override


@transaction.atomic
def calendar_override_update(*, actor, override_id: int, date: dt.date, kind: str, note: str = "") -> CalendarOverride:
    """Edit one override, its date included (moving it to a date that has one already is refused)."""
    _check_staff(actor)
    override = CalendarOverride.objects.select_for_update().filter(pk=override_id).first()
    if override is None:
        raise _not_found()
    kind, note = _checked(date=date, kind=kind, note=note)
    if date != override.date and CalendarOverride.objects.filter(date=date).exists():
        message = _("%(date)s already has an override; edit that one.") % {"date": date.isoformat()}
        raise ApplicationError("calendar_override_exists", message, {"date": [message]})
    before = _snapshot(override)
    if (override.date, override.kind, override.note) == (date, kind, note):
        return override
    years = {override.date.year, date.year}
    override.date, override.kind, override.note = date, kind, note
    try:
        with transaction.atomic():
            override.save(update_fields=["date", "kind", "note", "updated_at"])
    except IntegrityError:
        # The date was given an override by someone else since the check above.
        message = _("%(date)s already has an override; edit that one.") % {"date": date.isoformat()}
        raise ConflictError("calendar_override_exists", message, {"date": [message]}) from None
    audit(
        actor=actor,
        action="calendar_override_updated",
        obj=override,
        changes={"before": before, "after": _snapshot(override)},
    )
    calendar_overrides_changed()
    _recompute_on_commit(years)
    return override


@transaction.atomic
def calendar_override_delete(*, actor, override_id: int) -> None:
    """Remove an override: the date follows the package (or the statutory fallback) again."""
    _check_staff(actor)
    override = CalendarOverride.objects.select_for_update().filter(pk=override_id).first()
    if override is None:
        raise _not_found()
    audit(actor=actor, action="calendar_override_deleted", obj=override, changes=_snapshot(override))
    year = override.date.year
    override.delete()
    calendar_overrides_changed()
    _recompute_on_commit({year})


# --- bulk: a year's schedule in a few lines ---------------------------------------------------------------------

KIND_WORDS = {
    "holiday": CalendarOverride.Kind.HOLIDAY,
    "休": CalendarOverride.Kind.HOLIDAY,
    "假": CalendarOverride.Kind.HOLIDAY,
    "working_day": CalendarOverride.Kind.WORKING_DAY,
    "workday": CalendarOverride.Kind.WORKING_DAY,
    "班": CalendarOverride.Kind.WORKING_DAY,
}
LINE_RE = re.compile(
    r"^(?P<start>\d{4}-\d{2}-\d{2})(?:\s*(?:\.\.|~|至)\s*(?P<end>\d{4}-\d{2}-\d{2}))?\s+(?P<kind>\S+)(?:\s+(?P<note>.*))?$"
)
MAX_RANGE_DAYS = 31
# A year's State Council schedule is a few dozen dates; more than a whole year at once is a mistaken paste (and
# saving it would outlast the request's time limit).
MAX_IMPORT_DATES = 366


@dataclass(frozen=True)
class OverridesImportResult:
    created: int
    updated: int
    unchanged: int
    dates: tuple[dt.date, ...]  # every date of the schedule, in order

    @property
    def saved(self) -> int:
        """Dates created or changed."""
        return self.created + self.updated

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(sorted({day.year for day in self.dates}))


def _parse_lines(lines: str) -> list[tuple[dt.date, str, str]]:
    """[(date, kind, note)] from lines like "2027-02-06..2027-02-13 holiday 春节" or "2027-02-14 班 春节调休"."""
    entries: list[tuple[dt.date, str, str]] = []
    errors: list[str] = []
    for number, raw in enumerate(lines.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = LINE_RE.match(line)
        kind = KIND_WORDS.get((match.group("kind") if match else "").lower()) if match else None
        try:
            start = dt.date.fromisoformat(match.group("start")) if match else None
            end = dt.date.fromisoformat(match.group("end")) if match and match.group("end") else start
        except ValueError:
            start = end = None
        if match is None or kind is None or start is None or end < start or (end - start).days >= MAX_RANGE_DAYS:
            errors.append(
                _(
                    'Line %(number)s: write "YYYY-MM-DD holiday|working_day note" or '
                    '"YYYY-MM-DD..YYYY-MM-DD holiday note" (at most %(days)s days).'
                )
                % {"number": number, "days": MAX_RANGE_DAYS}
            )
            continue
        note = (match.group("note") or "").strip()
        # Counted, not stepped past `end`: 9999-12-31 has no next day.
        entries.extend((start + dt.timedelta(days=offset), kind, note) for offset in range((end - start).days + 1))
        if len(entries) > MAX_IMPORT_DATES:
            message = _("At most %(count)s dates at once: enter one year's schedule at a time.") % {
                "count": MAX_IMPORT_DATES
            }
            raise ApplicationError("too_many_calendar_lines", message, {"lines": [message]})
    if errors:
        raise ApplicationError("invalid_calendar_lines", errors[0], {"lines": errors[:20]})
    if not entries:
        message = _("Enter at least one line.")
        raise ApplicationError("invalid_calendar_lines", message, {"lines": [message]})
    return entries


@transaction.atomic
def calendar_overrides_import(*, actor, lines: str) -> OverridesImportResult:
    """Save every date of a pasted schedule at once (all or nothing); later lines win for a date given twice."""
    _check_staff(actor)
    entries = {day: (kind, note) for day, kind, note in _parse_lines(lines)}
    existing = set(CalendarOverride.objects.filter(date__in=list(entries)).values_list("date", flat=True))
    created = updated = unchanged = 0
    for day, (kind, note) in sorted(entries.items()):
        kind, note = _checked(date=day, kind=kind, note=note)
        _, changed = _save(actor=actor, date=day, kind=kind, note=note)
        if not changed:
            unchanged += 1
        elif day in existing:
            updated += 1
        else:
            created += 1
    years = {day.year for day in entries}
    if created or updated:
        calendar_overrides_changed()
        _recompute_on_commit(years)
    return OverridesImportResult(created, updated, unchanged, tuple(sorted(entries)))
