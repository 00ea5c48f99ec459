"""Reads of invoice requests, each scoped to who asks: a customer account, a vendor, or marketplace staff.

A vendor selector always takes a `Vendor`; staff, who read every vendor's requests, have their own selectors
(`*_for_staff`), where a vendor is an optional filter, never a scope that widens on None.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import TruncDate
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy

from apps.accounts.models import CustomerAccount, Vendor
from apps.core.scope import get_in_scope_or_not_found
from apps.core.workdays import (
    CALENDAR_TIME_ZONE,
    WorkingCalendar,
    add_working_days,
    calendar_date,
    current_calendar,
)

from .models import CustomerStatusCount, InvoiceEvent, InvoiceRequest, VendorStatusCount

REQUEST_NOT_FOUND_MESSAGE = gettext_lazy("No such invoice request.")
OPEN_STATUSES = ("pending", "processing")  # the vendor still owes the customer a mailed invoice
AT_RISK_WORKING_DAYS = 2  # a request with this many working days left or fewer is at risk of being late


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
        .select_related("vendor", "submitted_by")
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
    at_risk: bool = False,
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
    if at_risk:
        today = today or calendar_date(timezone.now())
        requests = requests.filter(_at_risk(today))
    search = (search or "").strip()
    if search:
        # Every arm is on the requests table (the account name through the matching account ids), so PostgreSQL
        # combines the trigram indexes of migration 0009 instead of reading all of a large vendor's requests; in
        # the default view (pending and processing) the title name has its own smaller index (migration 0011).
        accounts = CustomerAccount.objects.filter(name__icontains=search).order_by().values("pk")
        # The matching accounts' ids read first, and given as values: PostgreSQL then knows how few requests that arm
        # matches (an ANY(ARRAY(subquery)) it guesses at 0.5 % of the table, and intersects the whole OR with a
        # bitmap of all of a large vendor's requests, several times the cost of the search itself).
        account_ids = list(accounts.values_list("pk", flat=True)[: SEARCH_ACCOUNT_IDS_LIMIT + 1])
        if len(account_ids) <= SEARCH_ACCOUNT_IDS_LIMIT:
            in_accounts = Q(customer_account_id__in=account_ids)  # none: the arm drops out of the OR
        elif connection.vendor == "postgresql":
            in_accounts = _InArray(F("customer_account_id"), Subquery(accounts))
        else:
            in_accounts = Q(customer_account_id__in=Subquery(accounts))  # SQLite (`make run`) has no ANY(ARRAY(...))
        # (A number equal to the search also contains it: no arm of its own.)
        matches = (
            Q(number__icontains=search)
            | in_accounts
            | Q(title_snapshot__name__icontains=search)
            | Q(title_snapshot__taxpayer_id__iexact=search.upper())
        )
        # A narrow search (a number, a title) is answered from the indexes: its ids, then the page among them. A
        # broad one (a big customer's name) is left to the queue's order, where matching rows are dense.
        few = list(requests.filter(matches).order_by().values_list("pk", flat=True)[: SEARCH_ID_LIMIT + 1])
        requests = requests.filter(pk__in=few) if len(few) <= SEARCH_ID_LIMIT else requests.filter(matches)
    return requests.order_by("dispatch_due_date", "submitted_at", "id")


# Up to this many matches, a queue search selects the page by id (see `_queue`).
SEARCH_ID_LIMIT = 2000
# Up to this many customer accounts whose name matches, the search lists their ids (see `_queue`).
SEARCH_ACCOUNT_IDS_LIMIT = 100


class _InArray(Func):
    """`column = ANY(ARRAY(subquery))`: the subquery runs once and the column's index answers the lookup (a plain
    `IN (subquery)` inside an OR is a filter on every row)."""

    template = "%(expressions)s)"
    arg_joiner = " = ANY(ARRAY"
    output_field = BooleanField()


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


def _stored_status_counts(rows: QuerySet[VendorStatusCount] | QuerySet[CustomerStatusCount]) -> dict[str, int]:
    """{status: count} from the counters the database keeps (VendorStatusCount): a few rows, whatever the volume."""
    counts = dict(rows.order_by().values_list("status").annotate(total=Sum("count")))
    return {status: int(counts.get(status) or 0) for status in InvoiceRequest.Status.values}


def _counters_kept() -> bool:
    """PostgreSQL triggers keep VendorStatusCount; on another database (SQLite for `make run`) count the requests."""
    return connection.vendor == "postgresql"


def status_counts_for_vendor(*, vendor: Vendor) -> dict[str, int]:
    """{status: count} for the queue's tabs, in one query over the stored counters (not over the requests)."""
    if not _counters_kept():
        return status_counts_counted(vendor=vendor)
    return _stored_status_counts(VendorStatusCount.objects.filter(vendor=vendor))


def status_counts_for_staff(*, vendor: Vendor | None = None) -> dict[str, int]:
    """{status: count} over every vendor (or the one staff filtered on), in one query over the stored counters."""
    if not _counters_kept():
        return status_counts_counted(vendor=vendor)
    rows = VendorStatusCount.objects.all()
    return _stored_status_counts(rows if vendor is None else rows.filter(vendor=vendor))


def status_counts_for_customer(*, customer_account: CustomerAccount) -> dict[str, int]:
    """{status: count} of the account's requests, from the counters the database keeps (CustomerStatusCount)."""
    if not _counters_kept():
        return status_counts_counted_for_customer(customer_account=customer_account)
    return _stored_status_counts(CustomerStatusCount.objects.filter(customer_account=customer_account))


def status_counts_counted_for_customer(*, customer_account: CustomerAccount) -> dict[str, int]:
    """The same counted over the requests themselves (tests compare the two)."""
    return _status_counts(InvoiceRequest.objects.filter(customer_account=customer_account))


def customer_request_count(*, customer_account: CustomerAccount, status: str | None = None) -> int:
    """How many requests the account's records list holds, all or in one status, without counting them."""
    counts = status_counts_for_customer(customer_account=customer_account)
    return counts.get(status, 0) if status else sum(counts.values())


def status_counts_counted(*, vendor: Vendor | None = None) -> dict[str, int]:
    """The same counted over the requests themselves (the nightly audit and tests compare the two)."""
    return _status_counts(_staff_scope(vendor))


def overdue_count_for_vendor(*, vendor: Vendor, today: dt.date | None = None) -> int:
    return invoice_requests_for_vendor(vendor=vendor, overdue=True, today=today).count()


def overdue_count_for_staff(*, vendor: Vendor | None = None, today: dt.date | None = None) -> int:
    return invoice_requests_for_staff(vendor=vendor, overdue=True, today=today).count()


def at_risk_cutoff(*, today: dt.date) -> dt.date:
    """The last mail-by date that counts as at risk on `today`: 2 working days or fewer left."""
    return add_working_days(today, AT_RISK_WORKING_DAYS)


def _at_risk(today: dt.date, cutoff: dt.date | None = None) -> Q:
    """Still owed, not overdue yet, and 2 working days or fewer left (the SLA sweep's reminder rule)."""
    cutoff = cutoff or at_risk_cutoff(today=today)
    return Q(status__in=OPEN_STATUSES, dispatch_due_date__gte=today, dispatch_due_date__lte=cutoff)


@dataclass(frozen=True)
class DeadlineCounts:
    at_risk: int
    overdue: int


def _deadline_counts(requests: QuerySet[InvoiceRequest], today: dt.date | None) -> DeadlineCounts:
    today = today or calendar_date(timezone.now())
    cutoff = at_risk_cutoff(today=today)
    # Among the open requests due by the cutoff (the WHERE), at risk is due from today on (`_at_risk`), overdue due
    # before. Only the mail-by date is read, and counted (never null) instead of the id: the index on (vendor,
    # status, mail-by date), or over every vendor the open requests' index, answers it without the table.
    counts = requests.filter(status__in=OPEN_STATUSES, dispatch_due_date__lte=cutoff).aggregate(
        at_risk=Count("dispatch_due_date", filter=Q(dispatch_due_date__gte=today)),
        overdue=Count("dispatch_due_date", filter=Q(dispatch_due_date__lt=today)),
    )
    return DeadlineCounts(at_risk=counts["at_risk"], overdue=counts["overdue"])


def deadline_counts_for_vendor(*, vendor: Vendor, today: dt.date | None = None) -> DeadlineCounts:
    """How many of the vendor's open requests are at risk and how many overdue, in one query."""
    return _deadline_counts(InvoiceRequest.objects.filter(vendor=vendor), today)


def deadline_counts_for_staff(*, vendor: Vendor | None = None, today: dt.date | None = None) -> DeadlineCounts:
    """The same over every vendor (or the one staff filtered on)."""
    return _deadline_counts(_staff_scope(vendor), today)


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


def working_days_left(
    *, invoice_request: InvoiceRequest, today: dt.date | None = None, calendar: WorkingCalendar | None = None
) -> int | None:
    """Working days until the mail-by date on the real calendar (negative when overdue); None once mailed or
    closed. Pass one `calendar` for a list (otherwise the process's current calendar: no query per row either)."""
    if invoice_request.status not in OPEN_STATUSES:
        return None
    today = today or calendar_date(timezone.now())
    calendar = calendar or current_calendar()
    return calendar.working_days_between(today, invoice_request.dispatch_due_date)


# --- Mail-by dates as every page and API shows them -------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    """Where a request stands against its mail-by date, counted on the working-day calendar.

    `days_left`: working days until the mail-by date (0 on the day itself, negative when overdue), None once the
    request is mailed or closed. `days_late`: working days since the mail-by date while still owed (0 the day
    after a due date on a Friday, say: overdue, but no working day lost yet)."""

    due: dt.date
    provisional: bool
    days_left: int | None
    overdue: bool
    days_late: int


def deadlines_for(invoice_requests: Iterable[InvoiceRequest], *, today: dt.date | None = None) -> dict[int, Deadline]:
    """{request id: Deadline} for a page of requests, with one working-day calendar for the whole page, so the
    number of queries does not grow with the rows."""
    invoice_requests = list(invoice_requests)
    today = today or calendar_date(timezone.now())
    calendar = current_calendar()  # overrides read at most once, whatever the number of rows
    deadlines = {}
    days_to: dict[dt.date, int] = {}  # rows share mail-by dates: each one counted once
    for invoice_request in invoice_requests:
        due = invoice_request.dispatch_due_date
        days_left = None
        if invoice_request.status in OPEN_STATUSES:
            if due not in days_to:
                days_to[due] = calendar.working_days_between(today, due)
            days_left = days_to[due]
        overdue = invoice_request.status in OPEN_STATUSES and due < today
        deadlines[invoice_request.pk] = Deadline(
            due=due,
            provisional=invoice_request.dispatch_due_date_provisional,
            days_left=days_left,
            overdue=overdue,
            days_late=max(-(days_left or 0), 0) if overdue else 0,
        )
    return deadlines


def deadline_for(invoice_request: InvoiceRequest, *, today: dt.date | None = None) -> Deadline:
    """The Deadline of one request (a detail page or API answer)."""
    return deadlines_for([invoice_request], today=today)[invoice_request.pk]


# --- SLA figures and the staff's overdue list (helper s; apps.invoices.sla enforces the SLA) -------------------------

# Requests the vendor owed a mailed invoice for (a cancelled or rejected one was never to be mailed).
OWED_STATUSES = ("pending", "processing", "mailing", "voided")


@dataclass(frozen=True)
class VendorSla:
    """A vendor's mailing record over a window: requests due in it (`due`), mailed by their mail-by date
    (`on_time`), mailed later or still open (`late`); `breaches`: requests the SLA sweep marked overdue in the window;
    `on_time_rate`: on_time / due between 0 and 1, None when nothing was due."""

    vendor: Vendor
    due: int
    on_time: int
    late: int
    breaches: int
    on_time_rate: float | None


SLA_ORDERINGS = ("on_time_rate", "-on_time_rate", "breaches", "-breaches", "late", "-late", "vendor")


class _Count(Subquery):
    """COUNT(*) of a queryset correlated on the outer row (OuterRef), as a scalar subquery: 0 when nothing matches.

    Each count is its own subquery so each is answered by its own index (and only from the index where it can be):
    one OR-ed join over every request of a vendor, as before, read 100,000 rows of a large vendor."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) _counted)"
    output_field = IntegerField()

    def __init__(self, queryset: QuerySet, **extra) -> None:
        # Select a constant: no column, so the count needs no table access beyond what the WHERE reads.
        super().__init__(queryset.order_by().annotate(_one=Value(1)).values("_one"), **extra)


def _sla_counts(*, start: dt.date, today: dt.date) -> dict[str, _Count]:
    """Per vendor (OuterRef "pk"): requests owed with a mail-by date in [start, today) (`due_count`), those of them
    mailed on or before that date as an Asia/Shanghai calendar date (`on_time_count`), and requests the SLA sweep
    marked overdue since `start` (`breach_count`)."""
    mine = InvoiceRequest.objects.filter(vendor=OuterRef("pk"))
    due = mine.filter(dispatch_due_date__gte=start, dispatch_due_date__lt=today, status__in=OWED_STATUSES)
    mailed_in_time = LessThanOrEqual(TruncDate("mailed_at", tzinfo=CALENDAR_TIME_ZONE), F("dispatch_due_date"))
    return {
        "due_count": _Count(due),
        "on_time_count": _Count(due.filter(Q(mailed_at__isnull=False) & mailed_in_time)),
        "breach_count": _Count(mine.filter(breached_at__gte=_start_of(start))),
    }


def _deadline_count_subqueries(*, today: dt.date) -> dict[str, _Count]:
    """Per vendor (OuterRef "pk"): the same at-risk and overdue counts as `deadline_counts_for_vendor`."""
    open_requests = InvoiceRequest.objects.filter(vendor=OuterRef("pk"), status__in=OPEN_STATUSES)
    return {
        "at_risk_count": _Count(open_requests.filter(_at_risk(today))),
        "overdue_count": _Count(open_requests.filter(dispatch_due_date__lt=today)),
    }


def _sla(vendor: Vendor, due: int, on_time: int, breaches: int) -> VendorSla:
    return VendorSla(
        vendor=vendor,
        due=due,
        on_time=on_time,
        late=due - on_time,
        breaches=breaches,
        on_time_rate=(on_time / due) if due else None,
    )


def _vendor_sla_rows(vendors: QuerySet[Vendor], *, days: int, today: dt.date | None) -> list[VendorSla]:
    """One query: each vendor with its requests due in [today - days, today) and its breaches since then.

    Each figure is a correlated COUNT(*) answered from an index: (vendor, status, mail-by date) for what was due, the
    mailed requests' (vendor, mail-by date) index with status and mailing time included for what was on time, the
    breached requests' (vendor, breached at) index for breaches (migration 0011)."""
    today = today or calendar_date(timezone.now())
    start = today - dt.timedelta(days=days)
    rows = vendors.annotate(**_sla_counts(start=start, today=today)).order_by("name", "pk")
    return [_sla(vendor, vendor.due_count, vendor.on_time_count, vendor.breach_count) for vendor in rows]


def _sort_figures(figures: list[VendorSla], order_by: str) -> list[VendorSla]:
    key = order_by.lstrip("-") if order_by in SLA_ORDERINGS else "on_time_rate"
    descending = order_by.startswith("-") and order_by in SLA_ORDERINGS

    def value(figure: VendorSla):
        return figure.vendor.name if key == "vendor" else getattr(figure, key)

    present = sorted((f for f in figures if value(f) is not None), key=value, reverse=descending)
    return present + [f for f in figures if value(f) is None]


def vendor_sla_figures(*, days: int, today: dt.date | None = None, order_by: str = "on_time_rate") -> list[VendorSla]:
    """Every vendor's on-time rate and breach count over the last `days` days (staff), in one query.

    `order_by`: one of SLA_ORDERINGS ("-" descending); vendors with nothing due (no rate) come last."""
    return _sort_figures(_vendor_sla_rows(Vendor.objects.all(), days=days, today=today), order_by)


def vendor_sla_figure(*, vendor: Vendor, days: int, today: dt.date | None = None) -> VendorSla:
    """One vendor's figures, with the same counts as staff's."""
    return _vendor_sla_rows(Vendor.objects.filter(pk=vendor.pk), days=days, today=today)[0]


# --- The same figures for the pages that show them on every view, cached ----------------------------------------

# On-time rates and overdue counts are slow-moving aggregates: the pages read them from the shared cache
# (apps.core.cache, fail-soft) for at most this long. What the user's own actions change (a status) is in the key.
FIGURES_CACHE_SECONDS = 60


def _status_fingerprint(status_counts: dict[str, int]) -> str:
    """The vendor's counts per status (VendorStatusCount, read by the page anyway): every accept, mailing, rejection,
    cancellation, void or new request changes them, so a figure cached under them is recomputed at once. (Counts
    that come back to the same values, one request accepted and another put back to pending, change none of the
    figures either: both stay open and owed.)"""
    return ".".join(str(status_counts.get(status, 0)) for status in InvoiceRequest.Status.values)


@dataclass(frozen=True)
class QueueFigures:
    deadlines: DeadlineCounts
    sla: VendorSla


def queue_figures_for_vendor(
    *, vendor: Vendor, days: int, status_counts: dict[str, int], today: dt.date | None = None
) -> QueueFigures:
    """The vendor's at-risk and overdue counts and its on-time rate over `days` (the queue page's banner and figure),
    from the cache when nothing changed, else in one query (each count from an index) and cached.

    The key holds the vendor, today's date, the at-risk cutoff (a calendar change moves it) and `status_counts`
    (`status_counts_for_vendor`): a request changing status shows on the next view. What changes without a status
    change (the SLA sweep's breach mark, recomputed mail-by dates) shows within FIGURES_CACHE_SECONDS."""
    today = today or calendar_date(timezone.now())
    cutoff = at_risk_cutoff(today=today)
    key = (
        f"invoices:queue-figures:v1:{vendor.pk}:{days}:{today.isoformat()}:{cutoff.isoformat()}:"
        f"{_status_fingerprint(status_counts)}"
    )
    counts = cache.get(key)
    if counts is None:
        start = today - dt.timedelta(days=days)
        subqueries = {**_deadline_count_subqueries(today=today), **_sla_counts(start=start, today=today)}
        counts = tuple(
            Vendor.objects.filter(pk=vendor.pk)
            .annotate(**subqueries)
            .values_list("at_risk_count", "overdue_count", "due_count", "on_time_count", "breach_count")
            .get()
        )
        cache.set(key, counts, FIGURES_CACHE_SECONDS)
    at_risk, overdue, due, on_time, breaches = counts
    return QueueFigures(
        deadlines=DeadlineCounts(at_risk=at_risk, overdue=overdue), sla=_sla(vendor, due, on_time, breaches)
    )


def staff_sla_figures_cache_key(*, days: int, today: dt.date) -> str:
    return f"invoices:vendor-sla-figures:v1:{days}:{today.isoformat()}"


def vendor_sla_figures_for_staff_page(
    *, days: int, today: dt.date | None = None, order_by: str = "on_time_rate"
) -> list[VendorSla]:
    """`vendor_sla_figures` for the staff dashboard: the counts are cached for FIGURES_CACHE_SECONDS per day and
    window (staff change no request; a vendor's change shows within that time). The vendors themselves (name,
    phone, a new vendor) are read on every view, in the one query a miss also uses."""
    today = today or calendar_date(timezone.now())
    key = staff_sla_figures_cache_key(days=days, today=today)
    cached = cache.get(key)
    vendors = None if cached is None else list(Vendor.objects.order_by("name", "pk"))
    if vendors is None or any(vendor.pk not in cached for vendor in vendors):  # a vendor added meanwhile: recount
        figures = _vendor_sla_rows(Vendor.objects.all(), days=days, today=today)
        cache.set(key, {f.vendor.pk: (f.due, f.on_time, f.breaches) for f in figures}, FIGURES_CACHE_SECONDS)
    else:
        figures = [_sla(vendor, *cached[vendor.pk]) for vendor in vendors]
    return _sort_figures(figures, order_by)


class OverdueRequests:
    """Open requests past their mail-by date across vendors, the most overdue first: a lazy list for a paginator.

    Only the slice a page shows is read, each row with `working_days_late` (and its `deadline`) counted on one
    working-day calendar, so memory and queries do not grow with the number of overdue requests."""

    ordered = True  # for Django's Paginator

    def __init__(self, queryset: QuerySet[InvoiceRequest], *, today: dt.date) -> None:
        self.queryset = queryset
        self.today = today

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if isinstance(index, int):
            return self[index : index + 1][0]
        rows = list(self.queryset[index])
        deadlines = deadlines_for(rows, today=self.today)
        for row in rows:
            row.deadline = deadlines[row.pk]
            row.working_days_late = deadlines[row.pk].days_late
        return rows

    def __iter__(self):
        start = 0
        while rows := self[start : start + 500]:
            yield from rows
            start += len(rows)


def overdue_invoice_requests_for_staff(
    *, today: dt.date | None = None, vendor: Vendor | None = None
) -> OverdueRequests:
    """Every vendor's requests still owed after their mail-by date (or one vendor's), oldest mail-by date first,
    each with how many working days late it is (`working_days_late`; 0 on the weekend after a Friday due date)."""
    today = today or calendar_date(timezone.now())
    requests = (
        _staff_scope(vendor)
        .filter(status__in=OPEN_STATUSES, dispatch_due_date__lt=today)
        .select_related("vendor", "customer_account")
        .order_by("dispatch_due_date", "pk")
    )
    return OverdueRequests(requests, today=today)
