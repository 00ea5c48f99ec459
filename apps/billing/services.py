import csv
import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.db import IntegrityError, connection, transaction
from django.db.models import Case, DecimalField, F, Q, Value, When
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from apps.accounts.models import CustomerAccount, Vendor
from apps.core.errors import ApplicationError
from apps.core.money import ZERO, parse_amount
from apps.core.validators import CONTROL_CHARACTERS_RE, check_no_control_characters

from .models import ConsumptionRecord, VendorBalance


def balance_lock(
    *, customer_account_id: int, vendor_id: int, create: bool = True, annotations: dict | None = None
) -> VendorBalance | None:
    """Return the balance row of an account with a vendor, locked until the transaction ends.

    `create=False` answers None instead of creating a missing row (nothing was ever consumed: submit refuses that
    vendor anyway). `annotations` are computed in the same locking query (submit reserves the new request's ID there).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("balance_lock must run inside a transaction")
    # The row almost always exists: lock it in one query; create it (in a savepoint) only when it is missing.
    balances = VendorBalance.objects.select_for_update().filter(
        customer_account_id=customer_account_id, vendor_id=vendor_id
    )
    if annotations:
        balances = balances.annotate(**annotations)
    balance = balances.order_by().first()
    if balance is not None or not create:
        return balance
    try:
        with transaction.atomic():
            VendorBalance.objects.get_or_create(customer_account_id=customer_account_id, vendor_id=vendor_id)
    except IntegrityError:
        pass  # created by a concurrent transaction a moment ago
    return balances.get()


@transaction.atomic
def consumption_record(
    *,
    customer_account: CustomerAccount,
    vendor: Vendor,
    amount: Decimal,
    consumed_at: dt.datetime | None,
    external_id: str,
    description: str = "",
) -> tuple[ConsumptionRecord, bool]:
    """Record consumption once per `external_id`; repeating the same record changes nothing.

    `consumed_at` without a time zone is Asia/Shanghai time; None is refused next to its field.
    """
    external_id = (external_id or "").strip()
    description = (description or "").strip()
    # The money module owns the amount rule (at least 0.01, two places) and its messages.
    amount = parse_amount(amount)
    if consumed_at is not None and timezone.is_naive(consumed_at):
        consumed_at = timezone.make_aware(consumed_at)
    # A NUL would fail in PostgreSQL (a 500), other controls would reach the admin and CSV exports unseen.
    check_no_control_characters({"external_id": external_id, "description": description})
    _check_record_fields(external_id=external_id, consumed_at=consumed_at, description=description)
    balance = balance_lock(customer_account_id=customer_account.pk, vendor_id=vendor.pk)
    existing = ConsumptionRecord.objects.filter(external_id=external_id).first()
    if existing is not None:
        return _same_or_conflict(existing, customer_account=customer_account, vendor=vendor, amount=amount), False
    try:
        with transaction.atomic():
            record = ConsumptionRecord.objects.create(
                customer_account=customer_account,
                vendor=vendor,
                amount=amount,
                consumed_at=consumed_at,
                external_id=external_id,
                description=description,
            )
    except IntegrityError:
        # The same external ID arrived at the same moment for another account or vendor (another balance row
        # was locked); the other transaction committed first, so compare with what it recorded.
        existing = ConsumptionRecord.objects.get(external_id=external_id)
        return _same_or_conflict(existing, customer_account=customer_account, vendor=vendor, amount=amount), False
    balance.consumed += amount
    balance.save(update_fields=["consumed", "updated_at"])
    return record, True


def _check_record_fields(*, external_id: str, consumed_at, description: str) -> None:
    errors: dict[str, list[str]] = {}
    id_limit = ConsumptionRecord._meta.get_field("external_id").max_length
    if not external_id:
        errors["external_id"] = [_("Every consumption record needs an external ID.")]
    elif len(external_id) > id_limit:
        errors["external_id"] = [_("An external ID has at most %(limit)d characters.") % {"limit": id_limit}]
    if not isinstance(consumed_at, dt.datetime):
        errors["consumed_at"] = [_("Enter the date and time of the consumption.")]
    description_limit = ConsumptionRecord._meta.get_field("description").max_length
    if len(description) > description_limit:
        errors["description"] = [_("At most %(limit)d characters.") % {"limit": description_limit}]
    if errors:
        code = "external_id_required" if errors.get("external_id") and not external_id else "invalid_consumption"
        raise ApplicationError(code, next(iter(errors.values()))[0], errors)


def _same_or_conflict(
    existing: ConsumptionRecord, *, customer_account: CustomerAccount, vendor: Vendor, amount: Decimal
) -> ConsumptionRecord:
    if (existing.customer_account_id, existing.vendor_id, existing.amount) != (customer_account.pk, vendor.pk, amount):
        raise _external_id_conflict(existing.external_id)
    return existing


def _external_id_conflict(external_id: str) -> ApplicationError:
    message = _("External ID %(id)s was already recorded with a different account, vendor or amount.") % {
        "id": external_id
    }
    return ApplicationError("external_id_conflict", message, {"external_id": [message]})


CSV_COLUMNS = ("external_id", "customer_account", "vendor", "amount", "consumed_at")
CSV_OPTIONAL_COLUMNS = ("description",)


# The import works on this many rows at a time (one query to read their recorded external IDs, one to insert them).
CONSUMPTION_IMPORT_CHUNK_SIZE = 2000
# A file with at most this many rows keeps them in memory between the check and the writes; a bigger one is read
# (and parsed) again, so memory stays bounded whatever the file's length.
CONSUMPTION_IMPORT_KEEP_ROWS = 20_000


@dataclass
class ImportReport:
    created: int = 0
    skipped: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


def _parse_consumed_at(raw: str | None) -> dt.datetime | None:
    """ISO date or date-time; a time without an offset is Asia/Shanghai. `None` when it is not a real date."""
    raw = (raw or "").strip()
    try:
        value = parse_datetime(raw)
        if value is None:
            day = parse_date(raw)
            if day is None:
                return None
            value = dt.datetime(day.year, day.month, day.day)
    except ValueError:  # well formed but impossible, such as 2026-02-30
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def consumption_import_csv(*, text: str) -> ImportReport:
    """Import consumption rows. Every row is checked first; a file with any bad row changes nothing.

    Columns: external_id, customer_account (ID), vendor (ID or exact name), amount, consumed_at, description
    (optional). Errors are `(line number in the file, message)`; the header is line 1.

    Rows are handled CONSUMPTION_IMPORT_CHUNK_SIZE at a time, so memory stays bounded with a million rows (the text
    and the set of its external IDs aside): first every row is checked and compared with what earlier imports
    recorded (one query per chunk); then, in one transaction, the balance rows of every (account, vendor) pair in
    the file are locked at once in a stable order (so two imports, or an import and an application, never deadlock),
    each chunk's recorded external IDs are read again under those locks (one query), its new rows are inserted in
    bulk, and at the end each balance is raised once by the sum of its new rows. A repeated row (same external ID,
    account, vendor and amount) is skipped; a different one is a conflict, as in `consumption_record`.
    """
    report = ImportReport()
    reader = _csv_reader(text)
    missing = [column for column in CSV_COLUMNS if column not in (reader.fieldnames or [])]
    if missing:
        report.errors.append((1, _("Missing columns: %(columns)s") % {"columns": ", ".join(missing)}))
        return report
    accounts, vendors = _import_lookups()
    size = CONSUMPTION_IMPORT_CHUNK_SIZE
    pairs: set[tuple[int, int]] = set()
    kept: list[list[_ConsumptionRow]] | None = []
    try:
        checked = _consumption_rows(reader, accounts=accounts, vendors=vendors, seen_ids=set())
        for chunk in _valid_chunks(checked, errors=report.errors, size=size):
            pairs.update((row.account_id, row.vendor_id) for row in chunk)
            if kept is not None:
                kept.append(chunk)
                if len(kept) * size > CONSUMPTION_IMPORT_KEEP_ROWS:
                    kept = None
            # A row that repeats an already recorded external ID must match it; report every such conflict at once.
            recorded = _recorded(chunk)
            report.errors += [
                (
                    row.line,
                    _("external_id %(id)s was already recorded with a different account, vendor or amount")
                    % {"id": row.external_id},
                )
                for row in chunk
                if _differs(recorded.get(row.external_id), row)
            ]
    except _UnreadableLineError as error:  # a cell over the csv module's size limit or a stray quote: refused whole
        report.errors = [(error.line, error.message)]
        return report
    if report.errors:
        report.errors.sort()
        return report
    if pairs:
        chunks = kept if kept is not None else _chunks_again(text=text, accounts=accounts, vendors=vendors, size=size)
        _import_checked_chunks(chunks, pairs=pairs, report=report)
    return report


class _ConsumptionRow(NamedTuple):
    line: int
    account_id: int
    vendor_id: int
    amount: Decimal
    consumed_at: dt.datetime
    external_id: str
    description: str


class _UnreadableLineError(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line, self.message = line, message


def _csv_reader(text: str) -> csv.DictReader:
    reader = csv.DictReader(_lines(text))
    if reader.fieldnames:
        reader.fieldnames = [(name or "").strip().lower() for name in reader.fieldnames]
    return reader


def _lines(text: str) -> Iterator[str]:
    """The text's lines with their endings, split where io.StringIO splits them ("\n"), after any BOM; one line in
    memory at a time (a StringIO would copy the whole text, at four bytes a character)."""
    start = 0
    while text.startswith("\ufeff", start):
        start += 1
    while start < len(text):
        end = text.find("\n", start) + 1 or len(text)
        yield text[start:end]
        start = end


def _import_lookups() -> tuple[dict[str, int], dict[str, int]]:
    """Account IDs by their text, vendor IDs by their text or exact name (the cells' two spellings)."""
    accounts = {str(pk): pk for pk in CustomerAccount.objects.values_list("pk", flat=True)}
    vendors: dict[str, int] = {}
    for pk, name in Vendor.objects.values_list("pk", "name"):
        vendors[str(pk)] = pk
        vendors[name] = pk
    return accounts, vendors


def _consumption_rows(
    reader: csv.DictReader, *, accounts: dict[str, int], vendors: dict[str, int], seen_ids: set[str] | None
) -> Iterator[tuple[int, _ConsumptionRow | None, str]]:
    """Each row of the file, checked: `(line, row, "")` when good, `(line, None, problems)` when not.

    `line` counts blank lines and quoted line breaks, unlike enumerate(). `seen_ids` collects the external IDs to
    refuse one that appears twice (None: not checked). Raises _UnreadableLineError where the csv module stops.
    """
    id_limit = ConsumptionRecord._meta.get_field("external_id").max_length
    description_limit = ConsumptionRecord._meta.get_field("description").max_length
    rows = iter(reader)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except csv.Error as error:
            message = (
                _("A cell on this line is longer than %(limit)s characters.") % {"limit": f"{csv.field_size_limit():,}"}
                if "field limit" in str(error)
                else _("This line cannot be read as CSV (check its quotes).")
            )
            raise _UnreadableLineError(reader.line_num + 1, message) from error
        line = reader.line_num
        raw = {key: (value or "").strip() for key, value in row.items() if isinstance(key, str)}
        problems = [
            # Before any lookup: PostgreSQL refuses a NUL in a query.
            _("%(column)s holds a control character (such as NUL); type the cell again.") % {"column": column}
            for column, value in raw.items()
            if CONTROL_CHARACTERS_RE.search(value)
        ]
        if problems:
            yield line, None, "; ".join(problems)
            continue
        account_id = accounts.get(raw.get("customer_account", ""))
        vendor_id = vendors.get(raw.get("vendor", ""))
        consumed_at = _parse_consumed_at(raw.get("consumed_at"))
        external_id = raw.get("external_id", "")
        description = raw.get("description", "")
        if None in row:
            problems.append(_("more values than columns"))
        if not external_id:
            problems.append(_("external_id is empty"))
        elif len(external_id) > id_limit:
            problems.append(_("external_id is longer than 64 characters"))
        elif seen_ids is not None and external_id in seen_ids:
            problems.append(_("external_id %(id)s appears twice in the file") % {"id": external_id})
        if seen_ids is not None:
            seen_ids.add(external_id)
        if account_id is None:
            problems.append(_("unknown customer account %(value)s") % {"value": raw.get("customer_account", "")})
        if vendor_id is None:
            problems.append(_("unknown vendor %(value)s") % {"value": raw.get("vendor", "")})
        if consumed_at is None:
            problems.append(_("consumed_at is not a date or time: %(value)s") % {"value": raw.get("consumed_at", "")})
        try:
            amount = parse_amount(raw.get("amount"))
        except ApplicationError as error:
            problems.append(str(error.message))
            amount = None
        if len(description) > description_limit:
            problems.append(_("description is longer than 200 characters"))
        if problems:
            yield line, None, "; ".join(problems)
        else:
            yield line, _ConsumptionRow(line, account_id, vendor_id, amount, consumed_at, external_id, description), ""


def _valid_chunks(
    checked: Iterator[tuple[int, _ConsumptionRow | None, str]], *, errors: list[tuple[int, str]], size: int
) -> Iterator[list[_ConsumptionRow]]:
    """The good rows in lists of at most `size`; each bad row's `(line, problems)` goes to `errors`."""
    chunk: list[_ConsumptionRow] = []
    for line, row, problems in checked:
        if row is None:
            errors.append((line, problems))
            continue
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _recorded(chunk: list[_ConsumptionRow]) -> dict[str, tuple[int, int, Decimal]]:
    """What was recorded already under the chunk's external IDs: `{external_id: (account, vendor, amount)}`."""
    external_ids: list[str] | RawSQL = [row.external_id for row in chunk]
    if connection.vendor == "postgresql":
        # One probe of the unique index per ID, whatever the statistics say: a long IN list on a table that grew
        # since it was last analyzed is planned as a sequential scan (160 ms instead of 6 for 2,000 IDs in 650,000).
        external_ids = RawSQL("SELECT unnest(%s::varchar[])", (external_ids,))
    rows = ConsumptionRecord.objects.filter(external_id__in=external_ids).values_list(
        "external_id", "customer_account_id", "vendor_id", "amount"
    )
    return {external_id: (account_id, vendor_id, amount) for external_id, account_id, vendor_id, amount in rows}


def _chunks_again(
    *, text: str, accounts: dict[str, int], vendors: dict[str, int], size: int
) -> Iterator[list[_ConsumptionRow]]:
    """The good rows of a file that was checked whole, read again in chunks (every row is good)."""
    problems: list[tuple[int, str]] = []
    checked = _consumption_rows(_csv_reader(text), accounts=accounts, vendors=vendors, seen_ids=None)
    for chunk in _valid_chunks(checked, errors=problems, size=size):
        if problems:
            break
        yield chunk
    if problems:
        raise RuntimeError(f"consumption rows changed between the check and the import: {problems[:3]}")


def _differs(recorded: tuple[int, int, Decimal] | None, row: _ConsumptionRow) -> bool:
    return recorded is not None and recorded != (row.account_id, row.vendor_id, row.amount)


def _import_checked_chunks(
    chunks: Iterable[list[_ConsumptionRow]], *, pairs: set[tuple[int, int]], report: ImportReport
) -> None:
    """Record the checked rows of a file (`pairs`: its accounts and vendors), all or nothing; counts go to `report`."""
    chunk: list[_ConsumptionRow] = []
    try:
        with transaction.atomic():
            balance_ids = _balances_lock(pairs)
            added: dict[int, Decimal] = {}
            for chunk in chunks:
                recorded = _recorded(chunk)  # under the balance locks: what committed before them is visible
                new = []
                for row in chunk:
                    if recorded.get(row.external_id) is None:
                        new.append(row)
                    elif _differs(recorded[row.external_id], row):
                        # Recorded by someone else since the check.
                        error = _external_id_conflict(row.external_id)
                        report.errors.append((row.line, str(error.message)))
                        raise error
                ConsumptionRecord.objects.bulk_create(
                    [
                        ConsumptionRecord(
                            customer_account_id=row.account_id,
                            vendor_id=row.vendor_id,
                            amount=row.amount,
                            consumed_at=row.consumed_at,
                            external_id=row.external_id,
                            description=row.description,
                        )
                        for row in new
                    ]
                )
                for row in new:
                    balance_id = balance_ids[row.account_id, row.vendor_id]
                    added[balance_id] = added.get(balance_id, ZERO) + row.amount
                report.created += len(new)
                report.skipped += len(chunk) - len(new)
            _balances_add_consumed(added)
    except ApplicationError:
        report.created = report.skipped = 0
    except IntegrityError:
        # The same external ID was being recorded for another account or vendor (another balance row was locked):
        # our insert waited for that transaction, which committed first. Compare with what it recorded.
        recorded = _recorded(chunk)
        conflicting = [row for row in chunk if _differs(recorded.get(row.external_id), row)]
        if not conflicting:
            raise
        report.errors.append((conflicting[0].line, str(_external_id_conflict(conflicting[0].external_id).message)))
        report.created = report.skipped = 0


_PAIRS_PER_QUERY = 500


def _balances_lock(pairs: set[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """Lock the balance rows of these (account, vendor) pairs, creating the missing ones; returns their IDs.

    Every row is locked in one order, (account, vendor), and created in that order too, so two imports (or an
    import and `balance_lock`, which holds one row) wait for each other instead of deadlocking.
    """
    ordered = sorted(pairs)
    for start in range(0, len(ordered), _PAIRS_PER_QUERY):
        VendorBalance.objects.bulk_create(
            [VendorBalance(customer_account_id=a, vendor_id=v) for a, v in ordered[start : start + _PAIRS_PER_QUERY]],
            ignore_conflicts=True,
        )
    ids: dict[tuple[int, int], int] = {}
    for start in range(0, len(ordered), _PAIRS_PER_QUERY):
        part = ordered[start : start + _PAIRS_PER_QUERY]
        matching = Q(*(Q(customer_account_id=a, vendor_id=v) for a, v in part), _connector=Q.OR)
        locked = (
            VendorBalance.objects.select_for_update()
            .filter(matching)
            .order_by("customer_account_id", "vendor_id")
            .values_list("customer_account_id", "vendor_id", "pk")
        )
        ids.update({(account_id, vendor_id): pk for account_id, vendor_id, pk in locked})
    return ids


def _balances_add_consumed(added: dict[int, Decimal]) -> None:
    """Raise each locked balance's `consumed` by its amount: one UPDATE per _PAIRS_PER_QUERY balances."""
    now = timezone.now()
    items = sorted(added.items())
    for start in range(0, len(items), _PAIRS_PER_QUERY):
        part = items[start : start + _PAIRS_PER_QUERY]
        increase = Case(
            *(When(pk=pk, then=Value(amount)) for pk, amount in part),
            output_field=DecimalField(max_digits=14, decimal_places=2),
        )
        VendorBalance.objects.filter(pk__in=[pk for pk, _amount in part]).update(
            consumed=F("consumed") + increase, updated_at=now
        )
