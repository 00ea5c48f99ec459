"""The mail-by promise, enforced: the SLA sweep (reminders and breaches) and the nightly audit.

`sla_sweep` runs every SLA_SWEEP_MINUTES (Celery beat). It never matches exact times: whatever is at risk or overdue
*now* and not yet handled is handled, so a sweep missed for hours catches up on the next run. Each rule is one
set-based query on the `invoice_request_open_due` partial index (open requests by mail-by date), taken in batches
of `batch_size` rows locked with `FOR UPDATE SKIP LOCKED`: memory stays bounded with any number of open requests,
and two sweeps at once share the work instead of doing it twice. The mark (`at_risk_notified_at`, `breached_at`) is
written under the row lock in the same transaction as the timeline line and the notifications, so each request is
reminded once and breached once, however often the sweep runs.

`nightly_audit` re-checks, in SQL, what the database constraints and services should already guarantee, whatever
path wrote the rows (a raw UPDATE, a restore, a future bug): the shipping-payer rule on mailed requests and the money
invariants of every balance. Each violation is one `AuditFinding`, upserted by key; staff hear of a new one once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import DecimalField, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.models import User
from apps.billing.models import ConsumptionRecord, VendorBalance
from apps.core.errors import NotFoundError
from apps.core.models import audit
from apps.core.money import format_cny
from apps.core.scope import get_in_scope_or_not_found
from apps.core.workdays import calendar_date
from apps.notifications.models import Notification
from apps.notifications.services import (
    customer_recipients,
    customer_recipients_by_account,
    notify,
    staff_recipients,
    vendor_recipients,
)

from .models import VENDOR_PAYS_SHIPPING_FROM, AuditFinding, InvoiceEvent, InvoiceRequest, ShippingPayer
from .models import vendor_pays_shipping as _vendor_pays_shipping
from .selectors import OPEN_STATUSES, at_risk_cutoff, deadlines_for

DEFAULT_BATCH_SIZE = 500
FINDING_NOT_FOUND_MESSAGE = gettext_lazy("No such audit finding.")

# --- the sweep -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepResult:
    reminded: int
    breached: int


def sla_sweep(*, now: dt.datetime | None = None, batch_size: int = DEFAULT_BATCH_SIZE) -> SweepResult:
    """Remind vendors of requests at risk and mark overdue requests breached; returns how many of each.

    `today` is the Asia/Shanghai date of `now`. At risk: still owed, not reminded yet, due today or within
    AT_RISK_WORKING_DAYS working days (`at_risk_cutoff`, the same rule as the vendor's "at risk" tab). Overdue: still
    owed, not marked yet, due before today. Safe to run at any time, any number of times, concurrently.
    """
    now = now or timezone.now()
    today = calendar_date(now)
    breached = _in_locked_batches(
        Q(breached_at__isnull=True, dispatch_due_date__lt=today),
        lambda batch: _breach(batch, now=now),
        batch_size=batch_size,
    )
    reminded = _in_locked_batches(
        Q(at_risk_notified_at__isnull=True, dispatch_due_date__gte=today)
        & Q(dispatch_due_date__lte=at_risk_cutoff(today=today)),
        lambda batch: _remind(batch, now=now, today=today),
        batch_size=batch_size,
    )
    return SweepResult(reminded=reminded, breached=breached)


def _in_locked_batches(condition: Q, handle: Callable[[list[InvoiceRequest]], int], *, batch_size: int) -> int:
    """Run `handle` on the open requests matching `condition`, `batch_size` rows at a time, one transaction each.

    The rows are read in the partial index's order (mail-by date, id) from where the previous batch stopped (keyset,
    so the loop ends even if `handle` left a row unchanged), locked `FOR UPDATE SKIP LOCKED`: a row another sweep
    (or a vendor's accept) holds is skipped now and caught by a later run. PostgreSQL re-evaluates the WHERE clause
    on the newest version of each row it locks, and `handle` re-checks the mark, so a row handled by a sweep that
    committed a moment ago is never handled again.
    """
    handled = 0
    after: tuple[dt.date, int] | None = None
    while True:
        with transaction.atomic():
            rows = InvoiceRequest.objects.filter(status__in=OPEN_STATUSES).filter(condition)
            if after is not None:
                rows = rows.filter(Q(dispatch_due_date__gt=after[0]) | Q(dispatch_due_date=after[0], pk__gt=after[1]))
            batch = list(
                rows.select_for_update(skip_locked=True, of=("self",))
                .select_related("vendor", "customer_account")
                .order_by("dispatch_due_date", "pk")[:batch_size]
            )
            if not batch:
                return handled
            handled += handle(batch)
        if len(batch) < batch_size:
            return handled
        after = (batch[-1].dispatch_due_date, batch[-1].pk)


class _Recipients:
    """Who to notify for one batch: each vendor's and account's users read once, staff read once."""

    def __init__(self) -> None:
        self._vendors: dict[int, list[User]] = {}
        self._accounts: dict[int, list[User]] = {}
        self._staff: list[User] | None = None

    def vendor(self, invoice_request: InvoiceRequest) -> list[User]:
        if invoice_request.vendor_id not in self._vendors:
            self._vendors[invoice_request.vendor_id] = list(vendor_recipients(invoice_request.vendor))
        return self._vendors[invoice_request.vendor_id]

    def load_customers(self, account_ids: set[int]) -> None:
        """Read the users of these accounts in one query (instead of one query per account)."""
        self._accounts.update(customer_recipients_by_account(account_ids - self._accounts.keys()))

    def customer(self, invoice_request: InvoiceRequest) -> list[User]:
        account_id = invoice_request.customer_account_id
        if account_id not in self._accounts:
            self._accounts[account_id] = list(customer_recipients(invoice_request.customer_account))
        return self._accounts[account_id]

    def staff(self) -> list[User]:
        if self._staff is None:
            self._staff = list(staff_recipients())
        return self._staff


def _remind(batch: list[InvoiceRequest], *, now: dt.datetime, today: dt.date) -> int:
    batch = [row for row in batch if row.at_risk_notified_at is None and row.status in OPEN_STATUSES]
    if not batch:
        return 0
    InvoiceRequest.objects.filter(pk__in=[row.pk for row in batch]).update(at_risk_notified_at=now)
    deadlines = deadlines_for(batch, today=today)
    params = {
        row.pk: {"due": f"{row.dispatch_due_date:%Y-%m-%d}", "working_days_left": deadlines[row.pk].days_left}
        for row in batch
    }
    _record_notes(batch, kind=InvoiceEvent.Kind.VENDOR_REMINDED, params=params)
    recipients = _Recipients()
    for row in batch:
        row.at_risk_notified_at = now
        notify(
            event_key=f"at_risk:{row.pk}",
            kind=Notification.Kind.AT_RISK,
            recipients=recipients.vendor(row),
            invoice_request=row,
            params=params[row.pk],
        )
    return len(batch)


def _breach(batch: list[InvoiceRequest], *, now: dt.datetime) -> int:
    batch = [row for row in batch if row.breached_at is None and row.status in OPEN_STATUSES]
    if not batch:
        return 0
    InvoiceRequest.objects.filter(pk__in=[row.pk for row in batch]).update(breached_at=now)
    _record_notes(
        batch,
        kind=InvoiceEvent.Kind.BREACHED,
        params={row.pk: {"due": f"{row.dispatch_due_date:%Y-%m-%d}"} for row in batch},
    )
    recipients = _Recipients()
    recipients.load_customers({row.customer_account_id for row in batch})
    for row in batch:
        row.breached_at = now
        due = f"{row.dispatch_due_date:%Y-%m-%d}"
        notify(
            event_key=f"breached:{row.pk}",
            kind=Notification.Kind.BREACHED,
            recipients=[*recipients.vendor(row), *recipients.customer(row)],
            invoice_request=row,
            params={"due": due},
        )
        notify(
            event_key=f"escalated:{row.pk}",
            kind=Notification.Kind.ESCALATED,
            recipients=recipients.staff(),
            invoice_request=row,
            params={"due": due},
        )
    return len(batch)


def _record_notes(batch: list[InvoiceRequest], *, kind: str, params: dict[int, dict]) -> None:
    """The timeline line of each request of the batch (`params` by request ID), in one INSERT: the rows
    `InvoiceEvent.record_note` writes one at a time (its `reason` in the product's default language)."""
    events = [
        InvoiceEvent(
            request=row, actor=None, kind=kind, params=params[row.pk], from_status=row.status, to_status=row.status
        )
        for row in batch
    ]
    with translation.override(settings.LANGUAGE_CODE):
        for event in events:
            event.reason = event.text
    InvoiceEvent.objects.bulk_create(events)


# --- the nightly audit -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditResult:
    shipping_rule: int  # violations found (new or seen before)
    money_invariant: int
    new: int  # findings seen for the first time (staff were notified)


@dataclass(frozen=True)
class _Violation:
    key: str
    kind: str
    details: dict
    invoice_request_id: int | None = None
    customer_account_id: int | None = None
    vendor_id: int | None = None


_MONEY = DecimalField(max_digits=14, decimal_places=2)
_ZERO = Value(Decimal("0.00"), output_field=_MONEY)


def nightly_audit(*, now: dt.datetime | None = None) -> AuditResult:
    """Check every mailed request and every balance in SQL; record each violation once (by key) and tell staff.

    A violation seen again only moves its `last_seen_at` (and refreshes its details); acknowledging a finding keeps
    it, so a violation still present is not reported again. Memory is bounded: only violating rows are read, and
    through a server-side cursor.
    """
    now = now or timezone.now()
    counts = {AuditFinding.Kind.SHIPPING_RULE: 0, AuditFinding.Kind.MONEY_INVARIANT: 0}
    new = 0
    for violation in _violations():
        counts[violation.kind] += 1
        new += _record_finding(violation, now=now)
    return AuditResult(
        shipping_rule=counts[AuditFinding.Kind.SHIPPING_RULE],
        money_invariant=counts[AuditFinding.Kind.MONEY_INVARIANT],
        new=new,
    )


def _violations() -> Iterator[_Violation]:
    yield from _shipping_rule_violations()
    yield from _balance_violations()
    yield from _requests_without_balance()


def mailed_requests_breaking_shipping_rule() -> QuerySet[InvoiceRequest]:
    """Mailed (or later voided) requests sent cash on delivery although the vendor pays from 50.00 (the DB CHECK
    `invoice_request_cod_only_below_50` says the same; this query finds rows that got past it anyway)."""
    return InvoiceRequest.objects.filter(
        status__in=[InvoiceRequest.Status.MAILING, InvoiceRequest.Status.VOIDED],
        shipping_payer=ShippingPayer.RECIPIENT,
        amount__gte=VENDOR_PAYS_SHIPPING_FROM,
    ).order_by("pk")


def _shipping_rule_violations() -> Iterator[_Violation]:
    rows = mailed_requests_breaking_shipping_rule().values_list(
        "pk", "number", "amount", "customer_account_id", "vendor_id"
    )
    for pk, number, amount, account_id, vendor_id in rows.iterator(chunk_size=500):
        if not _vendor_pays_shipping(amount):  # the rule's one author has the last word over the SQL above
            continue
        yield _Violation(
            key=f"shipping_rule:{number or pk}",
            kind=AuditFinding.Kind.SHIPPING_RULE,
            details={"number": number or "", "amount": f"{amount:.2f}", "shipping_payer": ShippingPayer.RECIPIENT},
            invoice_request_id=pk,
            customer_account_id=account_id,
            vendor_id=vendor_id,
        )


def _sum_for_balance(model, **filters) -> Coalesce:
    """SUM(amount) of `model` rows of the same account and vendor as the outer balance, 0.00 when none."""
    total = (
        model.objects.filter(customer_account=OuterRef("customer_account"), vendor=OuterRef("vendor"), **filters)
        .order_by()
        .values("customer_account")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=_MONEY), _ZERO)


def _balance_violations() -> Iterator[_Violation]:
    """Balances whose stored totals disagree with the rows they sum up, or break their bounds.

    - invoiced = SUM(amount) of the pair's pending, processing and mailing requests;
    - consumed = SUM(amount) of the pair's consumption records;
    - 0 <= refunded <= consumed, invoiced >= 0 (CHECK constraints today; re-checked in case one is ever dropped).
    """
    balances = (
        VendorBalance.objects.annotate(
            expected_invoiced=_sum_for_balance(InvoiceRequest, status__in=InvoiceRequest.ACTIVE_STATUSES),
            expected_consumed=_sum_for_balance(ConsumptionRecord),
        )
        .filter(
            ~Q(invoiced=F("expected_invoiced"))
            | ~Q(consumed=F("expected_consumed"))
            | Q(refunded__gt=F("consumed"))
            | Q(refunded__lt=0)
            | Q(invoiced__lt=0)
        )
        .values_list(
            "customer_account_id",
            "vendor_id",
            "invoiced",
            "expected_invoiced",
            "consumed",
            "expected_consumed",
            "refunded",
        )
        .order_by("pk")
    )
    for account_id, vendor_id, invoiced, expected_invoiced, consumed, expected_consumed, refunded in balances.iterator(
        chunk_size=500
    ):
        base = f"balance:{account_id}:{vendor_id}"
        pair = {"customer_account_id": account_id, "vendor_id": vendor_id}
        if invoiced != expected_invoiced:
            yield _Violation(
                key=f"{base}:invoiced",
                kind=AuditFinding.Kind.MONEY_INVARIANT,
                details={"field": "invoiced", "stored": f"{invoiced:.2f}", "expected": f"{expected_invoiced:.2f}"},
                **pair,
            )
        if consumed != expected_consumed:
            yield _Violation(
                key=f"{base}:consumed",
                kind=AuditFinding.Kind.MONEY_INVARIANT,
                details={"field": "consumed", "stored": f"{consumed:.2f}", "expected": f"{expected_consumed:.2f}"},
                **pair,
            )
        if refunded > consumed or refunded < 0 or invoiced < 0:
            yield _Violation(
                key=f"{base}:bounds",
                kind=AuditFinding.Kind.MONEY_INVARIANT,
                details={
                    "field": "bounds",
                    "consumed": f"{consumed:.2f}",
                    "refunded": f"{refunded:.2f}",
                    "invoiced": f"{invoiced:.2f}",
                },
                **pair,
            )


def _requests_without_balance() -> Iterator[_Violation]:
    """Active requests of an account and vendor that have no balance row at all (nothing counts them)."""
    balance = VendorBalance.objects.filter(customer_account=OuterRef("customer_account"), vendor=OuterRef("vendor"))
    orphans = (
        InvoiceRequest.objects.filter(status__in=InvoiceRequest.ACTIVE_STATUSES)
        .filter(~Exists(balance))
        .order_by()
        .values("customer_account_id", "vendor_id")
        .annotate(total=Sum("amount"))
        .order_by("customer_account_id", "vendor_id")
    )
    for row in orphans.iterator(chunk_size=500):
        account_id, vendor_id, total = row["customer_account_id"], row["vendor_id"], row["total"]
        yield _Violation(
            key=f"balance:{account_id}:{vendor_id}:missing",
            kind=AuditFinding.Kind.MONEY_INVARIANT,
            details={"field": "missing", "expected": f"{total:.2f}"},
            customer_account_id=account_id,
            vendor_id=vendor_id,
        )


def _record_finding(violation: _Violation, *, now: dt.datetime) -> int:
    """Upsert the finding by key; a new one notifies staff (in the same transaction). Returns 1 if new."""
    with transaction.atomic():
        finding, created = AuditFinding.objects.get_or_create(
            key=violation.key,
            defaults={
                "kind": violation.kind,
                "details": violation.details,
                "invoice_request_id": violation.invoice_request_id,
                "customer_account_id": violation.customer_account_id,
                "vendor_id": violation.vendor_id,
                "found_at": now,
                "last_seen_at": now,
            },
        )
        if not created:
            AuditFinding.objects.filter(pk=finding.pk).update(last_seen_at=now, details=violation.details)
            return 0
        notify(
            event_key=f"audit_finding:{finding.pk}",
            kind=Notification.Kind.AUDIT_FINDING,
            recipients=staff_recipients(),
            invoice_request=finding.invoice_request,
            params={
                "finding_id": finding.pk,
                "finding_kind": finding.kind,
                "key": finding.key,
                # The facts, not a sentence: each recipient reads the summary in their own language.
                "details": finding.details,
                "finding_request_id": finding.invoice_request_id,
            },
        )
        return 1


def audit_finding_summary(*, finding: AuditFinding) -> str:
    """What is wrong, in one sentence of the active language, from the finding's details (the staff console and the
    staff's notification show it)."""
    details = finding.details or {}

    def money(key: str) -> str:
        value = details.get(key)
        return format_cny(Decimal(value)) if value not in (None, "") else "-"

    field = details.get("field")
    if finding.kind == AuditFinding.Kind.SHIPPING_RULE:
        # Translators: 申请 %(number)s 金额 %(amount)s，达到 %(limit)s 应由服务商付运费，却以到付寄出。
        return _("%(number)s: %(amount)s (from %(limit)s the vendor pays) was sent cash on delivery.") % {
            "number": details.get("number") or finding.invoice_request_id or "-",
            "amount": money("amount"),
            "limit": format_cny(VENDOR_PAYS_SHIPPING_FROM),
        }
    if field == "invoiced":
        # Translators: 已开票金额 %(stored)s，但待处理、处理中和已邮寄的申请合计 %(expected)s。
        return _("Invoiced %(stored)s, but the pending, processing and mailed requests total %(expected)s.") % {
            "stored": money("stored"),
            "expected": money("expected"),
        }
    if field == "consumed":
        # Translators: 消费金额 %(stored)s，但消费记录合计 %(expected)s。
        return _("Consumed %(stored)s, but the consumption records total %(expected)s.") % {
            "stored": money("stored"),
            "expected": money("expected"),
        }
    if field == "missing":
        # Translators: 没有余额记录，但待处理、处理中和已邮寄的申请合计 %(expected)s。
        return _("No balance row, but the pending, processing and mailed requests total %(expected)s.") % {
            "expected": money("expected")
        }
    # Translators: 金额越界：消费 %(consumed)s，退款 %(refunded)s，已开票 %(invoiced)s。
    return _("Out of bounds: consumed %(consumed)s, refunded %(refunded)s, invoiced %(invoiced)s.") % {
        "consumed": money("consumed"),
        "refunded": money("refunded"),
        "invoiced": money("invoiced"),
    }


@transaction.atomic
def audit_finding_acknowledge(*, actor: User, finding_id: int) -> AuditFinding:
    """Staff acknowledge a finding (who and when are kept). Acknowledging it again changes nothing; anyone but
    marketplace staff is told it does not exist (404)."""
    if not (actor and actor.is_authenticated and actor.is_marketplace_staff):
        raise NotFoundError("not_found", FINDING_NOT_FOUND_MESSAGE)
    finding = get_in_scope_or_not_found(
        AuditFinding.objects.select_for_update(), finding_id, message=FINDING_NOT_FOUND_MESSAGE
    )
    if finding.acknowledged_at is not None:
        return finding
    finding.acknowledged_at = timezone.now()
    finding.acknowledged_by = actor
    finding.save(update_fields=["acknowledged_at", "acknowledged_by"])
    audit(actor=actor, action="audit_finding_acknowledge", obj=finding, changes={"key": finding.key})
    return finding
