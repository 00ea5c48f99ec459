"""Reads of invoice requests, each scoped to who asks: a customer account, a vendor, or marketplace staff.

A vendor selector always takes a `Vendor`; staff, who read every vendor's requests, have their own selectors
(`*_for_staff`), where a vendor is an optional filter, never a scope that widens on None.
"""

import datetime as dt

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from apps.accounts.models import CustomerAccount, Vendor
from apps.core.scope import get_in_scope_or_not_found
from apps.core.workdays import CALENDAR_TIME_ZONE, calendar_date, working_days_between

from .models import InvoiceEvent, InvoiceRequest

REQUEST_NOT_FOUND_MESSAGE = gettext_lazy("No such invoice request.")
OPEN_STATUSES = ("pending", "processing")  # the vendor still owes the customer a mailed invoice


def timeline_prefetch() -> Prefetch:
    """A request's timeline, oldest first, with who did each step: for every detail page and API."""
    # The actor's vendor and account too: the timeline shows `actor.display_name`, never a login name.
    actor = ("actor__vendor", "actor__customer_account")
    return Prefetch("events", queryset=InvoiceEvent.objects.select_related(*actor).order_by("created_at", "id"))


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=CALENDAR_TIME_ZONE)


def _submitted_between(
    requests: QuerySet[InvoiceRequest], submitted_from: dt.date | None, submitted_to: dt.date | None
) -> QuerySet[InvoiceRequest]:
    """Calendar days in Asia/Shanghai, both inclusive; any valid date works, 9999-12-31 included.

    Bounds as Shanghai instants (not `submitted_at__date`): the day does not depend on the activated time zone,
    and the indexes on submitted_at can serve the range.
    """
    # The first and the last date have no day before or after them: nothing is earlier or later.
    if submitted_from and submitted_from > dt.date.min:
        requests = requests.filter(submitted_at__gte=_start_of(submitted_from))
    if submitted_to and submitted_to < dt.date.max:
        requests = requests.filter(submitted_at__lt=_start_of(submitted_to + dt.timedelta(days=1)))
    return requests


def invoice_requests_for_customer(
    *,
    customer_account: CustomerAccount,
    status: str | None = None,
    vendor_id: int | None = None,
    submitted_from: dt.date | None = None,
    submitted_to: dt.date | None = None,
) -> QuerySet[InvoiceRequest]:
    """The account's requests, newest first, optionally filtered (dates are Asia/Shanghai calendar days)."""
    requests = InvoiceRequest.objects.filter(customer_account=customer_account).select_related("vendor")
    if status:
        requests = requests.filter(status=status)
    if vendor_id:
        requests = requests.filter(vendor_id=vendor_id)
    requests = _submitted_between(requests, submitted_from, submitted_to)
    return requests.order_by("-submitted_at", "-id")


def invoice_request_for_customer(*, customer_account: CustomerAccount, invoice_request_id: int) -> InvoiceRequest:
    """One request of the account with its timeline; another account's request is simply not found."""
    requests = (
        InvoiceRequest.objects.filter(customer_account=customer_account)
        .select_related("vendor")
        .prefetch_related(timeline_prefetch())
    )
    return get_in_scope_or_not_found(requests, invoice_request_id, message=REQUEST_NOT_FOUND_MESSAGE)


def vendors_of_customer(*, customer_account: CustomerAccount) -> QuerySet[Vendor]:
    """Vendors the account has consumed with or applied to: the choices of the records' vendor filter."""
    return Vendor.objects.filter(balances__customer_account=customer_account).distinct().order_by("name")


# --- Vendor back-office (and staff reading it) ------------------------------------------------------------------


def _queue(
    requests: QuerySet[InvoiceRequest],
    *,
    status: str | None = None,
    open_only: bool = False,
    submitted_from: dt.date | None = None,
    submitted_to: dt.date | None = None,
    due_from: dt.date | None = None,
    due_to: dt.date | None = None,
    overdue: bool = False,
    search: str = "",
    today: dt.date | None = None,
) -> QuerySet[InvoiceRequest]:
    """The queue's filters and order (mail-by date, oldest due first) on an already scoped queryset.

    `open_only`: pending and processing only, the work the vendor still owes (the queue's default view); by
    mail-by date that also puts the overdue ones first."""
    requests = requests.select_related("vendor", "customer_account")
    if status:
        requests = requests.filter(status=status)
    if open_only:
        requests = requests.filter(status__in=OPEN_STATUSES)
    requests = _submitted_between(requests, submitted_from, submitted_to)
    if due_from:
        requests = requests.filter(dispatch_due_date__gte=due_from)
    if due_to:
        requests = requests.filter(dispatch_due_date__lte=due_to)
    if overdue:
        today = today or calendar_date(timezone.now())
        requests = requests.filter(status__in=OPEN_STATUSES, dispatch_due_date__lt=today)
    search = (search or "").strip()
    if search:
        requests = requests.filter(
            Q(number__iexact=search)
            | Q(number__icontains=search)
            | Q(customer_account__name__icontains=search)
            | Q(title_snapshot__name__icontains=search)
            | Q(title_snapshot__taxpayer_id__iexact=search.upper())
        )
    return requests.order_by("dispatch_due_date", "submitted_at", "id")


def _staff_scope(vendor: Vendor | None) -> QuerySet[InvoiceRequest]:
    requests = InvoiceRequest.objects.all()
    return requests if vendor is None else requests.filter(vendor=vendor)


def invoice_requests_for_vendor(*, vendor: Vendor, **filters) -> QuerySet[InvoiceRequest]:
    """Requests addressed to `vendor`, by mail-by date, oldest due first. Filters: see `_queue`."""
    return _queue(InvoiceRequest.objects.filter(vendor=vendor), **filters)


def invoice_requests_for_staff(*, vendor: Vendor | None = None, **filters) -> QuerySet[InvoiceRequest]:
    """Every vendor's requests for marketplace staff (read-only), or one vendor's when `vendor` filters on it."""
    return _queue(_staff_scope(vendor), **filters)


def _status_counts(requests: QuerySet[InvoiceRequest]) -> dict[str, int]:
    counts = dict(requests.order_by().values_list("status").annotate(count=Count("id")))
    return {status: counts.get(status, 0) for status in InvoiceRequest.Status.values}


def status_counts_for_vendor(*, vendor: Vendor) -> dict[str, int]:
    """{status: count} for the queue's tabs, in one query."""
    return _status_counts(InvoiceRequest.objects.filter(vendor=vendor))


def status_counts_for_staff(*, vendor: Vendor | None = None) -> dict[str, int]:
    """{status: count} over every vendor (or the one staff filtered on), in one query."""
    return _status_counts(_staff_scope(vendor))


def overdue_count_for_vendor(*, vendor: Vendor, today: dt.date | None = None) -> int:
    return invoice_requests_for_vendor(vendor=vendor, overdue=True, today=today).count()


def overdue_count_for_staff(*, vendor: Vendor | None = None, today: dt.date | None = None) -> int:
    return invoice_requests_for_staff(vendor=vendor, overdue=True, today=today).count()


def _detail(requests: QuerySet[InvoiceRequest], invoice_request_id: int) -> InvoiceRequest:
    requests = requests.select_related("vendor", "customer_account", "submitted_by__customer_account").prefetch_related(
        timeline_prefetch(),
        "issued_invoices",
    )
    return get_in_scope_or_not_found(requests, invoice_request_id, message=REQUEST_NOT_FOUND_MESSAGE)


def invoice_request_for_vendor(*, vendor: Vendor, invoice_request_id: int) -> InvoiceRequest:
    """One request addressed to the vendor, with its timeline and invoice numbers; another vendor's is not found."""
    return _detail(InvoiceRequest.objects.filter(vendor=vendor), invoice_request_id)


def invoice_request_for_staff(*, invoice_request_id: int) -> InvoiceRequest:
    """One request of any vendor for marketplace staff (read-only), with its timeline and invoice numbers."""
    return _detail(InvoiceRequest.objects.all(), invoice_request_id)


def is_overdue(*, invoice_request: InvoiceRequest, today: dt.date | None = None) -> bool:
    """Still owed (pending or processing) after its mail-by date: the same rule as the `overdue` filter."""
    today = today or calendar_date(timezone.now())
    return invoice_request.status in OPEN_STATUSES and invoice_request.dispatch_due_date < today


def working_days_left(*, invoice_request: InvoiceRequest, today: dt.date | None = None) -> int | None:
    """Working days until the mail-by date (negative when overdue); None once mailed or closed."""
    if invoice_request.status not in OPEN_STATUSES:
        return None
    today = today or calendar_date(timezone.now())
    return working_days_between(today, invoice_request.dispatch_due_date)
