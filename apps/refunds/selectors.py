"""Reads of refunds, invoice debt, the refund wallet and withdrawals (rm), and of returns and tickets (rt, below)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Count, Prefetch, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.models import CustomerAccount, Vendor
from apps.billing.models import VendorBalance
from apps.core.money import ZERO, format_cny
from apps.core.scope import get_in_scope_or_not_found
from apps.invoices.models import InvoiceRequest

from .models import AccountWallet, InvoiceReturn, Refund, SupportTicket, TicketMessage, Withdrawal

# --- invoice debt (欠票) ---------------------------------------------------------------------------------------------

INVOICED_STATUSES = ("pending", "processing", "mailing")


@dataclass(frozen=True)
class BlockingInvoice:
    """One request that must go (cancelled, or returned and voided) to settle a debt, and what to do about it.

    action: "cancel" (pending: cancel it), "return" (processing or mailing: ask the vendor for a return, send the
    invoice back), "wait_for_void" (returned and received: file a ticket, staff void it).
    """

    invoice_request: InvoiceRequest
    action: str
    message: str


@dataclass(frozen=True)
class VendorDebt:
    vendor: Vendor
    debt: Decimal
    blocking: list[BlockingInvoice] = field(default_factory=list)

    @property
    def message(self) -> str:
        return _(
            "You owe %(vendor)s invoices worth %(debt)s: refunds lowered what you consumed below what you applied "
            "for. Until it is settled you cannot apply for new invoices with this vendor or withdraw refunds."
        ) % {"vendor": self.vendor.name, "debt": format_cny(self.debt)}


def _blocking_for(invoice_request: InvoiceRequest) -> BlockingInvoice:
    facts = {"number": invoice_request.number, "amount": format_cny(invoice_request.amount)}
    if invoice_request.status == InvoiceRequest.Status.PENDING:
        return BlockingInvoice(
            invoice_request,
            "cancel",
            _("%(number)s (%(amount)s) is still pending: cancel it.") % facts,
        )
    open_return = next(iter(invoice_request.open_returns), None)
    if open_return is not None and open_return.status == InvoiceReturn.Status.RECEIVED:
        if invoice_request.open_tickets:
            message = _("%(number)s (%(amount)s) is back with the vendor; staff will void it from your ticket.")
        else:
            message = _(
                "%(number)s (%(amount)s) is back with the vendor: file a support ticket asking staff to void it."
            )
        return BlockingInvoice(invoice_request, "wait_for_void", message % facts)
    if open_return is not None and open_return.status == InvoiceReturn.Status.AGREED:
        message = _("%(number)s (%(amount)s): the vendor agreed to the return; send the invoice back.")
    elif open_return is not None and open_return.status == InvoiceReturn.Status.SHIPPED:
        message = _("%(number)s (%(amount)s) is on its way back; the vendor confirms when it arrives.")
    elif open_return is not None:
        message = _("%(number)s (%(amount)s): your return request is waiting for the vendor.")
    elif invoice_request.status == InvoiceRequest.Status.PROCESSING:
        message = _(
            "%(number)s (%(amount)s) is being prepared: ask the vendor for a return "
            "(or ask them to put it back in their queue, then cancel it)."
        )
    else:
        message = _("%(number)s (%(amount)s) was mailed: ask the vendor for a return and send the invoice back.")
    return BlockingInvoice(invoice_request, "return", message % facts)


# Which requests settle a debt first: pending ones (a cancel is enough), then processing, then mailed ones;
# within a status the newest first (the most recent application is the one most likely not yet used).
_SETTLE_ORDER = {"pending": 0, "processing": 1, "mailing": 2}


def invoice_debts_for_account(*, customer_account: CustomerAccount) -> list[VendorDebt]:
    """Per vendor the account owes invoices to: the debt and the fewest requests (pending first) whose cancel or
    return-and-void settles it, with what to do for each. Three queries whatever the number of vendors and requests.
    """
    balances = [
        balance
        for balance in VendorBalance.objects.filter(customer_account=customer_account).select_related("vendor")
        if balance.invoice_debt > ZERO
    ]
    if not balances:
        return []
    requests = (
        InvoiceRequest.objects.filter(
            customer_account=customer_account,
            vendor_id__in=[balance.vendor_id for balance in balances],
            status__in=INVOICED_STATUSES,
        )
        .select_related("vendor")
        .prefetch_related(
            Prefetch(
                "returns",
                queryset=InvoiceReturn.objects.filter(status__in=InvoiceReturn.OPEN_STATUSES),
                to_attr="open_returns",
            ),
            Prefetch(
                "tickets",
                queryset=SupportTicket.objects.exclude(status=SupportTicket.Status.RESOLVED),
                to_attr="open_tickets",
            ),
        )
    )
    by_vendor: dict[int, list[InvoiceRequest]] = {}
    for invoice_request in requests:
        by_vendor.setdefault(invoice_request.vendor_id, []).append(invoice_request)
    debts = []
    for balance in sorted(balances, key=lambda balance: balance.vendor.name):
        candidates = sorted(
            by_vendor.get(balance.vendor_id, []),
            key=lambda r: (_SETTLE_ORDER[r.status], -r.submitted_at.timestamp(), -r.pk),
        )
        chosen, covered = [], ZERO
        for invoice_request in candidates:
            if covered >= balance.invoice_debt:
                break
            chosen.append(_blocking_for(invoice_request))
            covered += invoice_request.amount
        debts.append(VendorDebt(vendor=balance.vendor, debt=balance.invoice_debt, blocking=chosen))
    return debts


def invoice_debt_message(debts: list[VendorDebt]) -> str:
    """One plain text for a refusal (withdrawal): each vendor's debt and what to do with each blocking request."""
    lines = [debt.message + " " + " ".join(item.message for item in debt.blocking) for debt in debts]
    return "\n".join(lines)


# --- refunds and the wallet ------------------------------------------------------------------------------------------


def refundable_amount(*, customer_account: CustomerAccount, vendor: Vendor) -> Decimal:
    """What the customer may still ask the vendor to refund: consumed - refunded - refunds waiting for the vendor."""
    balance = VendorBalance.objects.filter(customer_account=customer_account, vendor=vendor).first()
    if balance is None:
        return ZERO
    waiting = Refund.objects.filter(
        customer_account=customer_account, vendor=vendor, status=Refund.Status.REQUESTED
    ).aggregate(total=Sum("amount"))["total"]
    waiting = waiting or ZERO
    return max(balance.consumed - balance.refunded - waiting, ZERO)


def wallet_for(*, customer_account: CustomerAccount) -> AccountWallet:
    """The account's refund wallet (an unsaved empty one if nothing was ever refunded); `.withdrawable`."""
    wallet = AccountWallet.objects.filter(customer_account=customer_account).first()
    return wallet or AccountWallet(customer_account=customer_account)


def refunds_for_customer(*, customer_account: CustomerAccount, status: str | None = None) -> QuerySet[Refund]:
    refunds = Refund.objects.filter(customer_account=customer_account).select_related("vendor")
    return refunds.filter(status=status) if status else refunds


def refunds_for_vendor(*, vendor: Vendor, status: str | None = None) -> QuerySet[Refund]:
    refunds = Refund.objects.filter(vendor=vendor).select_related("customer_account", "requested_by")
    return refunds.filter(status=status) if status else refunds


def withdrawals_for_customer(*, customer_account: CustomerAccount) -> QuerySet[Withdrawal]:
    return Withdrawal.objects.filter(customer_account=customer_account).select_related("requested_by")


def withdrawals_for_staff(*, status: str | None = None) -> QuerySet[Withdrawal]:
    withdrawals = Withdrawal.objects.select_related("customer_account", "requested_by", "decided_by")
    return withdrawals.filter(status=status) if status else withdrawals


# --- returns and tickets (rt) ----------------------------------------------------------------------------------------

TICKET_NOT_FOUND_MESSAGE = gettext_lazy("No such support ticket.")
RETURN_NOT_FOUND_MESSAGE = gettext_lazy("No such invoice return.")


TICKET_ACTIVE_STATUSES = ("open", "waiting")


def _ticket_list(tickets: QuerySet[SupportTicket]) -> QuerySet[SupportTicket]:
    # Meta.ordering is dropped from a query with a GROUP BY (the Count), so the order is stated: latest message first.
    return (
        tickets.select_related("customer_account", "opened_by", "assignee", "invoice_request__vendor", "invoice_return")
        .annotate(message_count=Count("messages", distinct=True))
        .order_by("-last_message_at", "-id")
    )


def _ticket_detail(tickets: QuerySet[SupportTicket]) -> QuerySet[SupportTicket]:
    from apps.invoices.selectors import timeline_prefetch

    return tickets.select_related(
        "customer_account", "opened_by", "assignee", "invoice_request__vendor", "invoice_return"
    ).prefetch_related(
        Prefetch(
            "messages",
            queryset=TicketMessage.objects.select_related("author__vendor", "author__customer_account")
            .prefetch_related("attachments")
            .order_by("created_at", "id"),
        ),
        Prefetch("invoice_request__events", queryset=timeline_prefetch().queryset),
        Prefetch("invoice_request__returns", queryset=InvoiceReturn.objects.order_by("-created_at", "-id")),
        "invoice_request__issued_invoices",
    )


def tickets_for_customer(*, customer_account: CustomerAccount, status: str | None = None) -> QuerySet[SupportTicket]:
    """The account's tickets, latest message first ("active" = open or waiting)."""
    tickets = _ticket_list(SupportTicket.objects.filter(customer_account=customer_account))
    return _with_status(tickets, status)


def _with_status(tickets: QuerySet[SupportTicket], status: str | None) -> QuerySet[SupportTicket]:
    if status in (None, "", "all"):
        return tickets
    if status == "active":
        return tickets.filter(status__in=TICKET_ACTIVE_STATUSES)
    return tickets.filter(status=status)


def tickets_for_staff(
    *,
    status: str | None = None,
    vendor: Vendor | int | None = None,
    older_than_days: int | None = None,
    assignee=None,
    user=None,
    now: dt.datetime | None = None,
) -> QuerySet[SupportTicket]:
    """The staff queue, latest message first. `status`: a ticket status, "active" (open or waiting) or None/"all";
    `vendor`: the linked request's vendor; `older_than_days`: opened at least that many days ago; `assignee`: None
    (anyone), "none" (unassigned), "me" (with `user`), or a user / user id."""
    tickets = _with_status(_ticket_list(SupportTicket.objects.all()), status)
    if vendor:
        tickets = tickets.filter(invoice_request__vendor=vendor)
    if older_than_days:
        tickets = tickets.filter(created_at__lte=(now or timezone.now()) - dt.timedelta(days=int(older_than_days)))
    if assignee == "none":
        tickets = tickets.filter(assignee__isnull=True)
    elif assignee == "me":
        tickets = tickets.filter(assignee=user) if user is not None else tickets.none()
    elif assignee not in (None, ""):
        tickets = tickets.filter(assignee=assignee)
    return tickets


def ticket_for_customer(*, customer_account: CustomerAccount, ticket_id: int) -> SupportTicket:
    """One of the account's tickets with its messages and attachments; another account's is not found (404)."""
    return get_in_scope_or_not_found(
        _ticket_detail(SupportTicket.objects.filter(customer_account=customer_account)),
        ticket_id,
        message=TICKET_NOT_FOUND_MESSAGE,
    )


def ticket_for_staff(*, ticket_id: int) -> SupportTicket:
    """Any ticket with its messages, attachments, and the linked request's whole timeline, returns and invoices."""
    return get_in_scope_or_not_found(
        _ticket_detail(SupportTicket.objects.all()), ticket_id, message=TICKET_NOT_FOUND_MESSAGE
    )


def _returns(returns: QuerySet[InvoiceReturn], status: str | None) -> QuerySet[InvoiceReturn]:
    returns = returns.select_related("invoice_request__vendor", "invoice_request__customer_account", "requested_by")
    if status == "open":
        return returns.filter(status__in=InvoiceReturn.OPEN_STATUSES)
    return returns.filter(status=status) if status else returns


def returns_for_customer(*, customer_account: CustomerAccount, status: str | None = None) -> QuerySet[InvoiceReturn]:
    """The account's invoice returns, newest first (`status` "open" = not yet declined or closed)."""
    return _returns(InvoiceReturn.objects.filter(invoice_request__customer_account=customer_account), status)


def returns_for_vendor(*, vendor: Vendor, status: str | None = None) -> QuerySet[InvoiceReturn]:
    """Returns of the vendor's requests, newest first."""
    return _returns(InvoiceReturn.objects.filter(invoice_request__vendor=vendor), status)


def return_for_customer(*, customer_account: CustomerAccount, return_id: int) -> InvoiceReturn:
    return get_in_scope_or_not_found(
        returns_for_customer(customer_account=customer_account).prefetch_related("tickets"),
        return_id,
        message=RETURN_NOT_FOUND_MESSAGE,
    )


def return_for_vendor(*, vendor: Vendor, return_id: int) -> InvoiceReturn:
    return get_in_scope_or_not_found(
        returns_for_vendor(vendor=vendor).prefetch_related("tickets"), return_id, message=RETURN_NOT_FOUND_MESSAGE
    )


def open_return_for_request(*, invoice_request: InvoiceRequest) -> InvoiceReturn | None:
    """The request's open return (at most one), for the record's detail page."""
    return invoice_request.returns.filter(status__in=InvoiceReturn.OPEN_STATUSES).first()


def vendor_fault_counts(*, days: int, now: dt.datetime | None = None) -> dict[int, int]:
    """Per vendor id: returns agreed with the vendor at fault (mismatch or damaged) in the last `days` days."""
    since = (now or timezone.now()) - dt.timedelta(days=days)
    rows = (
        InvoiceReturn.objects.exclude(vendor_fault="")
        .filter(decided_at__gte=since)
        .values("invoice_request__vendor_id")
        .annotate(count=Count("id"))
    )
    return {row["invoice_request__vendor_id"]: row["count"] for row in rows}


# The staff dashboard shows the counts on every view: a slow-moving aggregate, cached this long.
FAULT_COUNTS_CACHE_SECONDS = 60


def vendor_fault_counts_for_dashboard(*, days: int, vendor_ids: list[int]) -> dict[int, int]:
    """`vendor_fault_counts` for the staff dashboard, from the shared cache (apps.core.cache) for at most
    FAULT_COUNTS_CACHE_SECONDS: {vendor id: count} for every one of `vendor_ids`, 0 included. A vendor the cached
    counts do not know (added meanwhile) has them counted again."""
    key = f"refunds:vendor-fault-counts:v1:{days}"
    counts = cache.get(key)
    if counts is None or any(vendor_id not in counts for vendor_id in vendor_ids):
        counts = dict.fromkeys(vendor_ids, 0) | vendor_fault_counts(days=days)
        cache.set(key, counts, FAULT_COUNTS_CACHE_SECONDS)
    return counts
