import datetime as dt

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from apps.accounts.models import CustomerAccount
from apps.core.errors import NotFoundError
from apps.core.workdays import CALENDAR_TIME_ZONE

from .models import InvoiceEvent, InvoiceRequest


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
        .prefetch_related(
            Prefetch("events", queryset=InvoiceEvent.objects.select_related("actor").order_by("created_at", "id"))
        )
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
