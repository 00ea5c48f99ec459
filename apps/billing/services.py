import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from apps.accounts.models import CustomerAccount, Vendor
from apps.core.errors import ApplicationError
from apps.core.money import parse_amount
from apps.core.validators import CONTROL_CHARACTERS_RE, check_no_control_characters

from .models import ConsumptionRecord, VendorBalance


def balance_lock(*, customer_account_id: int, vendor_id: int) -> VendorBalance:
    """Return the balance row of an account with a vendor, locked until the transaction ends."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("balance_lock must run inside a transaction")
    # The row almost always exists: lock it in one query; create it (in a savepoint) only when it is missing.
    balance = (
        VendorBalance.objects.select_for_update()
        .filter(customer_account_id=customer_account_id, vendor_id=vendor_id)
        .order_by()
        .first()
    )
    if balance is not None:
        return balance
    try:
        with transaction.atomic():
            VendorBalance.objects.get_or_create(customer_account_id=customer_account_id, vendor_id=vendor_id)
    except IntegrityError:
        pass  # created by a concurrent transaction a moment ago
    return VendorBalance.objects.select_for_update().get(customer_account_id=customer_account_id, vendor_id=vendor_id)


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
        message = _("External ID %(id)s was already recorded with a different account, vendor or amount.") % {
            "id": existing.external_id
        }
        raise ApplicationError("external_id_conflict", message, {"external_id": [message]})
    return existing


CSV_COLUMNS = ("external_id", "customer_account", "vendor", "amount", "consumed_at")
CSV_OPTIONAL_COLUMNS = ("description",)


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
    """
    report = ImportReport()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if reader.fieldnames:
        reader.fieldnames = [(name or "").strip().lower() for name in reader.fieldnames]
    missing = [column for column in CSV_COLUMNS if column not in (reader.fieldnames or [])]
    if missing:
        report.errors.append((1, _("Missing columns: %(columns)s") % {"columns": ", ".join(missing)}))
        return report
    accounts = {str(account.pk): account for account in CustomerAccount.objects.all()}
    vendors = {}
    for vendor in Vendor.objects.all():
        vendors[str(vendor.pk)] = vendor
        vendors[vendor.name] = vendor
    rows = []
    seen_ids: set[str] = set()
    parsed = []
    try:
        # A cell over the csv module's size limit or a stray quote stops the reader: the file is refused whole.
        for row in reader:
            parsed.append((reader.line_num, row))
    except csv.Error as error:
        message = (
            _("A cell on this line is longer than %(limit)s characters.") % {"limit": f"{csv.field_size_limit():,}"}
            if "field limit" in str(error)
            else _("This line cannot be read as CSV (check its quotes).")
        )
        report.errors.append((reader.line_num + 1, message))
        return report
    for line, row in parsed:  # line: counts blank lines and quoted line breaks, unlike enumerate()
        raw = {key: (value or "").strip() for key, value in row.items() if isinstance(key, str)}
        account = accounts.get(raw.get("customer_account", ""))
        vendor = vendors.get(raw.get("vendor", ""))
        consumed_at = _parse_consumed_at(raw.get("consumed_at"))
        external_id = raw.get("external_id", "")
        description = raw.get("description", "")
        problems = [
            # Before any lookup: PostgreSQL refuses a NUL in a query.
            _("%(column)s holds a control character (such as NUL); type the cell again.") % {"column": column}
            for column, value in raw.items()
            if CONTROL_CHARACTERS_RE.search(value)
        ]
        if problems:
            report.errors.append((line, "; ".join(problems)))
            continue
        if None in row:
            problems.append(_("more values than columns"))
        if not external_id:
            problems.append(_("external_id is empty"))
        elif len(external_id) > ConsumptionRecord._meta.get_field("external_id").max_length:
            problems.append(_("external_id is longer than 64 characters"))
        elif external_id in seen_ids:
            problems.append(_("external_id %(id)s appears twice in the file") % {"id": external_id})
        seen_ids.add(external_id)
        if account is None:
            problems.append(_("unknown customer account %(value)s") % {"value": raw.get("customer_account", "")})
        if vendor is None:
            problems.append(_("unknown vendor %(value)s") % {"value": raw.get("vendor", "")})
        if consumed_at is None:
            problems.append(_("consumed_at is not a date or time: %(value)s") % {"value": raw.get("consumed_at", "")})
        try:
            amount = parse_amount(raw.get("amount"))
        except ApplicationError as error:
            problems.append(str(error.message))
            amount = None
        if len(description) > ConsumptionRecord._meta.get_field("description").max_length:
            problems.append(_("description is longer than 200 characters"))
        if problems:
            report.errors.append((line, "; ".join(problems)))
        else:
            rows.append((line, account, vendor, amount, consumed_at, external_id, description))
    # A row that repeats an already recorded external ID must match it; report every such conflict at once.
    recorded = ConsumptionRecord.objects.in_bulk([row[5] for row in rows], field_name="external_id")
    for line, account, vendor, amount, _at, external_id, _description in rows:
        existing = recorded.get(external_id)
        if existing is not None and (existing.customer_account_id, existing.vendor_id, existing.amount) != (
            account.pk,
            vendor.pk,
            amount,
        ):
            report.errors.append(
                (
                    line,
                    _("external_id %(id)s was already recorded with a different account, vendor or amount")
                    % {"id": external_id},
                )
            )
    if report.errors:
        report.errors.sort()
        return report
    try:
        with transaction.atomic():
            for line, account, vendor, amount, consumed_at, external_id, description in rows:
                try:
                    _record, created = consumption_record(
                        customer_account=account,
                        vendor=vendor,
                        amount=amount,
                        consumed_at=consumed_at,
                        external_id=external_id,
                        description=description,
                    )
                except ApplicationError as error:
                    report.errors.append((line, str(error.message)))
                    raise
                if created:
                    report.created += 1
                else:
                    report.skipped += 1
    except ApplicationError:
        report.created = report.skipped = 0
    return report
