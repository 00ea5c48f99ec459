import csv
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

from .models import ConsumptionRecord, VendorBalance


def balance_lock(*, customer_account_id: int, vendor_id: int) -> VendorBalance:
    """Return the balance row of an account with a vendor, locked until the transaction ends."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("balance_lock must run inside a transaction")
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
    consumed_at,
    external_id: str,
    description: str = "",
) -> tuple[ConsumptionRecord, bool]:
    """Record consumption once per `external_id`; repeating the same record changes nothing."""
    external_id = (external_id or "").strip()
    if not external_id:
        message = _("Every consumption record needs an external ID.")
        raise ApplicationError("external_id_required", message, {"external_id": [message]})
    amount = parse_amount(amount)
    balance = balance_lock(customer_account_id=customer_account.pk, vendor_id=vendor.pk)
    existing = ConsumptionRecord.objects.filter(external_id=external_id).first()
    if existing is not None:
        if (existing.customer_account_id, existing.vendor_id, existing.amount) != (
            customer_account.pk,
            vendor.pk,
            amount,
        ):
            message = _("External ID %(id)s was already recorded with a different account, vendor or amount.") % {
                "id": external_id
            }
            raise ApplicationError("external_id_conflict", message, {"external_id": [message]})
        return existing, False
    record = ConsumptionRecord.objects.create(
        customer_account=customer_account,
        vendor=vendor,
        amount=amount,
        consumed_at=consumed_at,
        external_id=external_id,
        description=description,
    )
    balance.consumed += amount
    balance.save(update_fields=["consumed", "updated_at"])
    return record, True


CSV_COLUMNS = ("external_id", "customer_account", "vendor", "amount", "consumed_at")


@dataclass
class ImportReport:
    created: int = 0
    skipped: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


def _parse_consumed_at(raw: str):
    raw = (raw or "").strip()
    value = parse_datetime(raw)
    if value is None:
        day = parse_date(raw)
        if day is None:
            return None
        value = timezone.datetime(day.year, day.month, day.day)
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def consumption_import_csv(*, text: str) -> ImportReport:
    """Import consumption rows. Every row is checked first; a file with any bad row changes nothing.

    Columns: external_id, customer_account (ID), vendor (ID or exact name), amount, consumed_at, description.
    """
    report = ImportReport()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
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
    for line, row in enumerate(reader, start=2):
        account = accounts.get((row.get("customer_account") or "").strip())
        vendor = vendors.get((row.get("vendor") or "").strip())
        consumed_at = _parse_consumed_at(row.get("consumed_at"))
        external_id = (row.get("external_id") or "").strip()
        problems = []
        if not external_id:
            problems.append(_("external_id is empty"))
        elif external_id in seen_ids:
            problems.append(_("external_id %(id)s appears twice in the file") % {"id": external_id})
        seen_ids.add(external_id)
        if account is None:
            problems.append(_("unknown customer account %(value)s") % {"value": row.get("customer_account")})
        if vendor is None:
            problems.append(_("unknown vendor %(value)s") % {"value": row.get("vendor")})
        if consumed_at is None:
            problems.append(_("consumed_at is not a date or time: %(value)s") % {"value": row.get("consumed_at")})
        try:
            amount = parse_amount(row.get("amount"))
        except ApplicationError as error:
            problems.append(str(error.message))
            amount = None
        if problems:
            report.errors.append((line, "; ".join(problems)))
        else:
            rows.append((line, account, vendor, amount, consumed_at, external_id, row.get("description") or ""))
    if report.errors:
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
                        description=description[:200],
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
