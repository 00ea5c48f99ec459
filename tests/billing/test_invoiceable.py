from decimal import Decimal

from django.utils import translation

from apps.billing.models import VendorBalance
from apps.billing.selectors import invoiceable_row, invoiceable_rows
from apps.invoices.models import InvoiceRequest
from apps.invoices.services import invoice_request_cancel
from tests.factories import VendorFactory, consume
from tests.helpers import reach_status, submit


def _set_refunded(customer, vendor, refunded: str) -> None:
    # Refunds come with a later issue; until then the balance column is the only way to have one.
    VendorBalance.objects.filter(customer_account=customer.customer_account, vendor=vendor).update(
        refunded=Decimal(refunded)
    )


def test_invoiceable_is_consumed_minus_refunded_minus_active_requests(customer, vendor):
    # given ¥1000.00 consumed, ¥150.00 refunded, requests pending ¥100, processing ¥50.50, mailing ¥20,
    # and a cancelled ¥30 that no longer counts
    consume(customer_account=customer.customer_account, vendor=vendor, amount="1000.00")
    _set_refunded(customer, vendor, "150.00")
    submit(customer, vendor, "100.00")
    reach_status(submit(customer, vendor, "50.50"), InvoiceRequest.Status.PROCESSING)
    reach_status(submit(customer, vendor, "20.00"), InvoiceRequest.Status.MAILING)
    cancelled = submit(customer, vendor, "30.00")
    invoice_request_cancel(actor=customer, customer_account=customer.customer_account, invoice_request_id=cancelled.pk)
    # when the customer's invoiceable row is read
    row = invoiceable_row(customer_account=customer.customer_account, vendor_id=vendor.pk)
    # then every number is this customer's, and invoiceable = 1000 - 150 - (100 + 50.50 + 20)
    assert row.vendor == vendor
    assert (row.consumed, row.refunded, row.invoiced) == (Decimal("1000.00"), Decimal("150.00"), Decimal("170.50"))
    assert row.invoiceable == Decimal("679.50")
    assert row.invoice_debt == Decimal("0.00")


def test_the_formula_shows_this_customers_actual_numbers(customer, vendor):
    # given ¥1000.00 consumed, ¥150.00 refunded and ¥170.50 applied for
    consume(customer_account=customer.customer_account, vendor=vendor, amount="1000.00")
    _set_refunded(customer, vendor, "150.00")
    submit(customer, vendor, "170.50")
    # when the formula is rendered in English
    row = invoiceable_row(customer_account=customer.customer_account, vendor_id=vendor.pk)
    with translation.override("en"):
        formula = row.formula
    # then it spells out the computation with the real numbers
    assert formula == (
        "Invoiceable ¥679.50 = consumed ¥1,000.00 − refunded ¥150.00 − "
        "applied for (pending, processing, mailing) ¥170.50"
    )


def test_rows_list_each_vendor_the_customer_consumed_with_by_name(customer):
    # given consumption with two vendors and none with a third
    beta = VendorFactory(name="B 服务商")
    alpha = VendorFactory(name="A 服务商")
    VendorFactory(name="C 没消耗的服务商")
    consume(customer_account=customer.customer_account, vendor=beta, amount="80.00")
    consume(customer_account=customer.customer_account, vendor=alpha, amount="20.00")
    consume(customer_account=customer.customer_account, vendor=alpha, amount="5.50")
    submit(customer, alpha, "10.00")
    # when the rows are listed
    rows = invoiceable_rows(customer_account=customer.customer_account)
    # then one row per vendor consumed with, in name order, with their own numbers
    assert [(row.vendor, row.consumed, row.invoiced, row.invoiceable) for row in rows] == [
        (alpha, Decimal("25.50"), Decimal("10.00"), Decimal("15.50")),
        (beta, Decimal("80.00"), Decimal("0.00"), Decimal("80.00")),
    ]


def test_a_refund_after_invoicing_shows_invoice_debt_and_nothing_invoiceable(customer, vendor):
    # given ¥100 consumed and ¥100 applied for, then ¥30 refunded
    consume(customer_account=customer.customer_account, vendor=vendor, amount="100.00")
    submit(customer, vendor, "100.00")
    _set_refunded(customer, vendor, "30.00")
    # when the row is read
    row = invoiceable_row(customer_account=customer.customer_account, vendor_id=vendor.pk)
    # then nothing is invoiceable and the ¥30 invoiced above the net is invoice debt
    assert row.invoiceable == Decimal("0.00")
    assert row.invoice_debt == Decimal("30.00")


def test_another_customers_consumption_never_appears(customer, other_customer, vendor, other_vendor):
    # given customer1 consumed with vendor, and customer2 with both vendors and applied for some
    consume(customer_account=customer.customer_account, vendor=vendor, amount="100.00")
    consume(customer_account=other_customer.customer_account, vendor=vendor, amount="700.00")
    consume(customer_account=other_customer.customer_account, vendor=other_vendor, amount="900.00")
    submit(other_customer, vendor, "300.00")
    # when customer1's rows are read
    rows = invoiceable_rows(customer_account=customer.customer_account)
    # then only its own numbers appear, and it has no row for a vendor only customer2 used
    assert [(row.vendor, row.consumed, row.invoiced) for row in rows] == [(vendor, Decimal("100.00"), 0)]
    assert invoiceable_row(customer_account=customer.customer_account, vendor_id=other_vendor.pk) is None
    # and customer2's rows never contain customer1's
    other_rows = invoiceable_rows(customer_account=other_customer.customer_account)
    assert {(row.vendor, row.consumed, row.invoiced) for row in other_rows} == {
        (vendor, Decimal("700.00"), Decimal("300.00")),
        (other_vendor, Decimal("900.00"), Decimal("0.00")),
    }
