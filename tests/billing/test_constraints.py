from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from apps.billing.models import ConsumptionRecord, VendorBalance
from tests.factories import CustomerAccountFactory

# The money invariants live in PostgreSQL, so even a buggy service (or a raw UPDATE) cannot break them.


@pytest.mark.parametrize(
    ("consumed", "refunded", "invoiced"),
    [
        ("100.00", "0.00", "100.01"),  # invoiced > consumed
        ("100.00", "100.01", "0.00"),  # refunded > consumed
        ("-1.00", "0.00", "0.00"),  # negative consumed
        ("100.00", "-1.00", "0.00"),  # negative refunded
        ("100.00", "0.00", "-1.00"),  # negative invoiced
    ],
)
def test_the_database_refuses_an_impossible_balance(vendor, consumed, refunded, invoiced):
    # given an account
    account = CustomerAccountFactory()
    # when a balance row breaking an invariant is inserted
    # then PostgreSQL refuses it
    with pytest.raises(IntegrityError), transaction.atomic():
        VendorBalance.objects.create(
            customer_account=account,
            vendor=vendor,
            consumed=Decimal(consumed),
            refunded=Decimal(refunded),
            invoiced=Decimal(invoiced),
        )
    assert not VendorBalance.objects.exists()


def test_the_database_refuses_raising_invoiced_above_consumed_with_a_raw_update(vendor):
    # given a balance of ¥100 consumed, ¥100 invoiced
    balance = VendorBalance.objects.create(
        customer_account=CustomerAccountFactory(), vendor=vendor, consumed=Decimal("100"), invoiced=Decimal("100")
    )
    # when an UPDATE tries to invoice one more cent
    with pytest.raises(IntegrityError), transaction.atomic():
        VendorBalance.objects.filter(pk=balance.pk).update(invoiced=Decimal("100.01"))
    # then the stored row is unchanged
    assert VendorBalance.objects.get(pk=balance.pk).invoiced == Decimal("100.00")


def test_one_balance_row_per_account_and_vendor(vendor):
    # given a balance row
    account = CustomerAccountFactory()
    VendorBalance.objects.create(customer_account=account, vendor=vendor)
    # when a second one for the same pair is inserted
    # then it is refused
    with pytest.raises(IntegrityError), transaction.atomic():
        VendorBalance.objects.create(customer_account=account, vendor=vendor)


def test_the_database_refuses_zero_consumption(vendor):
    # given an account
    # when a consumption record of ¥0.00 is inserted directly
    # then it is refused
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsumptionRecord.objects.create(
            customer_account=CustomerAccountFactory(),
            vendor=vendor,
            amount=Decimal("0.00"),
            consumed_at="2026-11-01T00:00:00+08:00",
            external_id="zero",
        )
