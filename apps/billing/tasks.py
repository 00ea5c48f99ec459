import logging

from celery import shared_task
from django.db.models import DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from apps.invoices.models import InvoiceRequest

from .models import VendorBalance

logger = logging.getLogger(__name__)


@shared_task
def balances_reconcile_task() -> int:
    """Hourly check: each balance's `invoiced` equals the sum of its active requests. Logs every mismatch."""
    active = (
        InvoiceRequest.objects.filter(
            customer_account=OuterRef("customer_account"),
            vendor=OuterRef("vendor"),
            status__in=InvoiceRequest.ACTIVE_STATUSES,
        )
        .order_by()
        .values("customer_account")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    money = DecimalField(max_digits=14, decimal_places=2)
    rows = VendorBalance.objects.annotate(
        expected=Coalesce(Subquery(active, output_field=money), Value(0, output_field=money))
    )
    mismatches = 0
    for balance in rows.iterator():
        if balance.expected != balance.invoiced:
            mismatches += 1
            logger.error(
                "balance %s invoiced %s but active requests total %s", balance.pk, balance.invoiced, balance.expected
            )
    return mismatches
