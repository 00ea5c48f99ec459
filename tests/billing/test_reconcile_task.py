from decimal import Decimal

from apps.billing.models import VendorBalance
from apps.billing.tasks import balances_reconcile_task
from apps.invoices.services import invoice_request_cancel
from tests.factories import consume
from tests.helpers import submit


def test_reconcile_finds_nothing_when_balances_match_their_requests(consumed, vendor, other_customer, other_vendor):
    # given balances with active and cancelled requests, and a balance without any request
    submit(consumed, vendor, "100.00")
    cancelled = submit(consumed, vendor, "50.00")
    invoice_request_cancel(actor=consumed, customer_account=consumed.customer_account, invoice_request_id=cancelled.pk)
    consume(customer_account=other_customer.customer_account, vendor=other_vendor, amount="10.00")
    # when the hourly reconciliation runs
    # then it finds no mismatch
    assert balances_reconcile_task() == 0


def test_reconcile_counts_each_balance_that_disagrees_with_its_requests(consumed, vendor, other_customer):
    # given two balances, one whose invoiced total was changed behind the services' back
    submit(consumed, vendor, "100.00")
    consume(customer_account=other_customer.customer_account, vendor=vendor, amount="10.00")
    VendorBalance.objects.filter(customer_account=consumed.customer_account, vendor=vendor).update(
        invoiced=Decimal("90.00")
    )
    # when the reconciliation runs
    # then it reports exactly that one mismatch
    assert balances_reconcile_task() == 1
    # and a balance claiming invoices with no request at all is a mismatch too
    VendorBalance.objects.filter(customer_account=other_customer.customer_account, vendor=vendor).update(
        invoiced=Decimal("5.00")
    )
    assert balances_reconcile_task() == 2
