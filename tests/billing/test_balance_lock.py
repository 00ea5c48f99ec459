"""The balance row's lock: taken in one query, created only when asked to, with extra values read in the same query."""

from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.models import Value
from django.test.utils import CaptureQueriesContext

from apps.billing.models import VendorBalance
from apps.billing.selectors import invoiceable_row, invoiceable_row_of
from apps.billing.services import balance_lock
from tests.factories import CustomerAccountFactory, VendorFactory, consume

pytestmark = pytest.mark.django_db


def test_without_create_a_missing_row_is_none_and_nothing_is_written():
    account, vendor = CustomerAccountFactory(), VendorFactory()
    with transaction.atomic():
        assert balance_lock(customer_account_id=account.pk, vendor_id=vendor.pk, create=False) is None
    assert not VendorBalance.objects.exists()


def test_a_missing_row_is_created_by_default():
    account, vendor = CustomerAccountFactory(), VendorFactory()
    with transaction.atomic():
        balance = balance_lock(customer_account_id=account.pk, vendor_id=vendor.pk)
    assert (balance.consumed, balance.invoiced) == (Decimal("0"), Decimal("0"))
    assert VendorBalance.objects.filter(customer_account=account, vendor=vendor).exists()


def test_annotations_are_read_by_the_locking_query_itself():
    account, vendor = CustomerAccountFactory(), VendorFactory()
    consume(customer_account=account, vendor=vendor, amount="10.00")
    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        balance = balance_lock(customer_account_id=account.pk, vendor_id=vendor.pk, annotations={"answer": Value(42)})
    assert balance.answer == 42
    assert len(captured.captured_queries) == 1
    assert captured.captured_queries[0]["sql"].endswith("FOR UPDATE")


def test_the_row_of_a_balance_in_hand_is_the_selectors_row():
    account, vendor, other = CustomerAccountFactory(), VendorFactory(), VendorFactory()
    consume(customer_account=account, vendor=vendor, amount="10.00")
    balance = VendorBalance.objects.get(customer_account=account, vendor=vendor)
    assert invoiceable_row_of(balance) == invoiceable_row(customer_account=account, vendor_id=vendor.pk)
    assert invoiceable_row_of(None) is None
    empty = VendorBalance.objects.create(customer_account=account, vendor=other)  # nothing consumed: no row
    assert invoiceable_row_of(empty) is None
    assert invoiceable_row(customer_account=account, vendor_id=other.pk) is None
