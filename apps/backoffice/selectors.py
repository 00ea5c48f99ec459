"""Reads for the back-office refund and return pages: the vendor's own rows, or every vendor's for staff (read-only).

`vendor=None` means marketplace staff. A row outside the vendor's scope is "not found" (a 404, no hint it exists).
"""

from django.db.models import Count, Q, QuerySet

from apps.accounts.models import Vendor
from apps.core.scope import get_in_scope_or_not_found
from apps.refunds.models import InvoiceReturn, Refund, SupportTicket

# The returns the vendor still has to act on: decide a new one, confirm that a parcel arrived.
RETURNS_TO_DO = ("requested", "shipped")


def _scoped(queryset: QuerySet, vendor: Vendor | None, field: str) -> QuerySet:
    return queryset if vendor is None else queryset.filter(**{field: vendor})


def refunds_for_backoffice(*, vendor: Vendor | None, status: str | None = None) -> QuerySet[Refund]:
    """Refund requests, oldest waiting first when filtered to "requested", newest first otherwise."""
    rows = _scoped(Refund.objects.select_related("customer_account", "vendor", "requested_by"), vendor, "vendor")
    if status:
        rows = rows.filter(status=status)
    if status == Refund.Status.REQUESTED:
        rows = rows.order_by("created_at", "id")
    return rows


def refund_counts(*, vendor: Vendor | None) -> dict[str, int]:
    """How many refunds per status, for the tabs."""
    counts = _scoped(Refund.objects.all(), vendor, "vendor").values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in counts}


def refund_for_backoffice(*, vendor: Vendor | None, refund_id: int) -> Refund:
    return get_in_scope_or_not_found(refunds_for_backoffice(vendor=vendor), refund_id)


def returns_for_backoffice(*, vendor: Vendor | None, status: str | None = None) -> QuerySet[InvoiceReturn]:
    """Invoice returns; `status="todo"` is what the vendor must act on (decide, confirm receipt), oldest first."""
    rows = _scoped(
        InvoiceReturn.objects.select_related(
            "invoice_request", "invoice_request__customer_account", "invoice_request__vendor", "requested_by"
        ),
        vendor,
        "invoice_request__vendor",
    )
    if status == "todo":
        return rows.filter(status__in=RETURNS_TO_DO).order_by("created_at", "id")
    if status:
        rows = rows.filter(status=status)
    return rows


def return_counts(*, vendor: Vendor | None) -> dict[str, int]:
    rows = _scoped(InvoiceReturn.objects.all(), vendor, "invoice_request__vendor")
    counts = {row["status"]: row["n"] for row in rows.values("status").annotate(n=Count("id"))}
    counts["todo"] = sum(counts.get(status, 0) for status in RETURNS_TO_DO)
    return counts


def return_for_backoffice(*, vendor: Vendor | None, return_id: int) -> InvoiceReturn:
    return get_in_scope_or_not_found(returns_for_backoffice(vendor=vendor), return_id)


def returns_and_tickets_of(*, invoice_request) -> tuple[list[InvoiceReturn], list[SupportTicket]]:
    """A request's returns (newest first) and the support tickets about it or its returns, for its detail page."""
    returns = list(invoice_request.returns.select_related("requested_by").order_by("-created_at", "-id"))
    tickets = list(
        SupportTicket.objects.filter(
            Q(invoice_request=invoice_request) | Q(invoice_return__invoice_request=invoice_request)
        )
        .select_related("assignee")
        .order_by("-created_at", "-id")
        .distinct()
    )
    return returns, tickets
