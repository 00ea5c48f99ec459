import datetime as dt

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import CustomerAccount, Vendor
from apps.core.errors import NotFoundError
from apps.core.workdays import CALENDAR_TIME_ZONE, calendar_date, working_days_between

from .models import InvoiceEvent, InvoiceRequest


def timeline_prefetch() -> Prefetch:
    """A request's timeline, oldest first, with who did each step: for every detail page and API."""
    return Prefetch("events", queryset=InvoiceEvent.objects.select_related("actor").order_by("created_at", "id"))


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
    # Bounds as Shanghai instants (not `submitted_at__date`): the day does not depend on the activated time zone,
    # and the (customer_account, -submitted_at) index can serve the range.
    if submitted_from:
        requests = requests.filter(submitted_at__gte=_start_of(submitted_from))
    if submitted_to:
        requests = requests.filter(submitted_at__lt=_start_of(submitted_to + dt.timedelta(days=1)))
    return requests.order_by("-submitted_at", "-id")


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=CALENDAR_TIME_ZONE)


def invoice_request_for_customer(*, customer_account: CustomerAccount, request_id) -> InvoiceRequest:
    """One request of the account with its timeline; another account's request is simply not found."""
    request = (
        InvoiceRequest.objects.filter(customer_account=customer_account, pk=request_id)
        .select_related("vendor")
        .prefetch_related(timeline_prefetch())
        .first()
        if str(request_id).isdigit()
        else None
    )
    if request is None:
        raise NotFoundError("not_found", _("No such invoice request."))
    return request


def vendors_of_customer(*, customer_account: CustomerAccount):
    """Vendors the account has consumed with or applied to: the choices of the records' vendor filter."""
    from apps.accounts.models import Vendor

    return Vendor.objects.filter(balances__customer_account=customer_account).distinct().order_by("name")


# --- Vendor back-office ------------------------------------------------------------------------------------------

OPEN_STATUSES = ("pending", "processing")  # the vendor still owes the customer a mailed invoice


def invoice_requests_for_vendor(
    *,
    vendor: Vendor | None,
    status: str | None = None,
    submitted_from: dt.date | None = None,
    submitted_to: dt.date | None = None,
    due_from: dt.date | None = None,
    due_to: dt.date | None = None,
    overdue: bool = False,
    search: str = "",
    today: dt.date | None = None,
) -> QuerySet[InvoiceRequest]:
    """Requests addressed to `vendor` (None: every vendor, for staff), by mailing due date, oldest due first."""
    requests = InvoiceRequest.objects.select_related("vendor", "customer_account")
    if vendor is not None:
        requests = requests.filter(vendor=vendor)
    if status:
        requests = requests.filter(status=status)
    if submitted_from:
        requests = requests.filter(submitted_at__gte=_start_of(submitted_from))
    if submitted_to:
        requests = requests.filter(submitted_at__lt=_start_of(submitted_to + dt.timedelta(days=1)))
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


def status_counts_for_vendor(*, vendor: Vendor | None) -> dict[str, int]:
    """{status: count} for the queue's tabs, in one query."""
    requests = InvoiceRequest.objects.all()
    if vendor is not None:
        requests = requests.filter(vendor=vendor)
    counts = dict(requests.order_by().values_list("status").annotate(count=Count("id")))
    return {status: counts.get(status, 0) for status in InvoiceRequest.Status.values}


def overdue_count_for_vendor(*, vendor: Vendor | None, today: dt.date | None = None) -> int:
    return invoice_requests_for_vendor(vendor=vendor, overdue=True, today=today).count()


def invoice_request_for_vendor(*, vendor: Vendor | None, request_id) -> InvoiceRequest:
    """One request addressed to the vendor (any vendor for staff, vendor=None), with timeline and invoice numbers."""
    requests = InvoiceRequest.objects.select_related("vendor", "customer_account", "submitted_by").prefetch_related(
        timeline_prefetch(),
        "issued_invoices",
    )
    if vendor is not None:
        requests = requests.filter(vendor=vendor)
    request = requests.filter(pk=request_id).first() if str(request_id).isdigit() else None
    if request is None:
        raise NotFoundError("not_found", _("No such invoice request."))
    return request


def is_overdue(*, request: InvoiceRequest, today: dt.date | None = None) -> bool:
    """Still owed (pending or processing) after its mail-by date: the same rule as the `overdue` filter."""
    today = today or calendar_date(timezone.now())
    return request.status in OPEN_STATUSES and request.dispatch_due_date < today


def working_days_left(*, request: InvoiceRequest, today: dt.date | None = None) -> int | None:
    """Working days until the mail-by date (negative when overdue); None once mailed or closed."""
    if request.status not in OPEN_STATUSES:
        return None
    today = today or calendar_date(timezone.now())
    return working_days_between(today, request.dispatch_due_date)
