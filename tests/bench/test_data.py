"""The benchmark's data generator (bench/data.py) at a tiny scale: the rows it COPYs obey every rule the services and
the database keep, so what the benchmark measures is the app on data it could have made itself."""

from decimal import Decimal

import pytest
from django.contrib.auth import authenticate
from django.db import connection
from django.test import override_settings

from apps.accounts.models import User
from apps.billing.models import VendorBalance
from apps.core.workdays import calendar_date
from apps.invoices.models import ALL_STATUSES, InvoiceEvent, InvoiceRequest
from apps.invoices.services import dispatch_due_date_for
from apps.invoices.sla import nightly_audit
from bench.data import (
    BENCH_CUSTOMER_USER,
    BENCH_STAFF_USER,
    BENCH_VENDOR_NAME,
    BENCH_VENDOR_USER,
    BIG_TABLES,
    PASSWORD,
    Sizes,
    load,
)
from tests.helpers import submit

pytestmark = pytest.mark.django_db

SCALE = 0.002


def _schema(tables) -> set[tuple]:
    """Every index (name, unique, columns) and constraint (name, definition) of `tables`, to prove the rebuild
    restored them all. (A partial index's predicate reads differently once recreated, so it is not compared.)"""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexrelid::regclass::text, indisunique, indkey::text, indpred IS NULL FROM pg_index "
            "WHERE indrelid = ANY(%s::regclass[])",
            [list(tables)],
        )
        indexes = set(cursor.fetchall())
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = ANY(%s::regclass[])",
            [list(tables)],
        )
        return indexes | set(cursor.fetchall())


def _rows(sql: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


@pytest.fixture
def loaded():
    schema_before = _schema(BIG_TABLES)
    result = load(scale=SCALE)
    return result, schema_before


def test_it_loads_the_sizes_of_its_scale_with_every_index_and_constraint_back(loaded):
    # given the generator ran at a tiny scale
    result, schema_before = loaded
    sizes = Sizes.for_scale(SCALE)
    # then it made the planned rows
    assert result.rows["accounts_customeraccount"] == sizes.accounts
    assert result.rows["invoices_invoicerequest"] == InvoiceRequest.objects.count() == sizes.requests
    assert result.rows["billing_consumptionrecord"] == sizes.consumption
    # one vendor and one customer account carry their big share
    assert InvoiceRequest.objects.filter(vendor__name=BENCH_VENDOR_NAME).count() == sizes.big_vendor_requests
    customer = User.objects.get(username=BENCH_CUSTOMER_USER)
    assert InvoiceRequest.objects.filter(customer_account=customer.customer_account).count() == (
        sizes.big_customer_requests
    )
    # in every status
    assert set(InvoiceRequest.objects.values_list("status", flat=True)) == set(ALL_STATUSES)
    # and the indexes and constraints dropped for the COPY are all back, as they were
    assert _schema(BIG_TABLES) == schema_before


def test_balances_agree_with_the_rows_and_the_nightly_audit_finds_nothing(loaded):
    # given the loaded data
    # then every balance's consumed is its records' sum and invoiced its active requests' sum
    mismatched = _rows(
        """
        SELECT b.id FROM billing_vendorbalance b
        WHERE b.consumed <> (SELECT COALESCE(SUM(c.amount), 0) FROM billing_consumptionrecord c
                             WHERE c.customer_account_id = b.customer_account_id AND c.vendor_id = b.vendor_id)
           OR b.invoiced <> (SELECT COALESCE(SUM(r.amount), 0) FROM invoices_invoicerequest r
                             WHERE r.customer_account_id = b.customer_account_id AND r.vendor_id = b.vendor_id
                               AND r.status IN ('pending', 'processing', 'mailing'))
           OR b.consumed < b.invoiced + b.refunded
        """
    )
    assert mismatched == []
    # every request's account and vendor have a balance
    orphans = _rows(
        "SELECT r.id FROM invoices_invoicerequest r LEFT JOIN billing_vendorbalance b "
        "ON b.customer_account_id = r.customer_account_id AND b.vendor_id = r.vendor_id WHERE b.id IS NULL"
    )
    assert orphans == []
    # the per-vendor status counters (kept by triggers, which COPY fires too) agree with the rows
    if "invoices_vendorstatuscount" in connection.introspection.table_names():
        stale = _rows(
            "SELECT vendor_id, status FROM (SELECT vendor_id, status, count(*) AS n FROM invoices_invoicerequest "
            "GROUP BY 1, 2) AS actual FULL JOIN invoices_vendorstatuscount c USING (vendor_id, status) "
            "WHERE COALESCE(c.count, 0) <> COALESCE(actual.n, 0)"
        )
        assert stale == []
    # and the nightly audit agrees
    result = nightly_audit()
    assert (result.shipping_rule, result.money_invariant, result.new) == (0, 0, 0)


def test_each_request_has_the_timeline_and_mailing_facts_of_its_status(loaded):
    # given the loaded requests
    paths = {
        "pending": ["pending"],
        "processing": ["pending", "processing"],
        "mailing": ["pending", "processing", "mailing"],
        "voided": ["pending", "processing", "mailing", "voided"],
        "cancelled": ["pending", "cancelled"],
        "rejected": ["pending", "rejected"],
    }
    timelines: dict[int, list[str]] = {}
    for request_id, to_status in InvoiceEvent.objects.filter(kind=InvoiceEvent.Kind.STATUS_CHANGED).values_list(
        "request_id", "to_status"
    ):
        timelines.setdefault(request_id, []).append(to_status)
    for request in InvoiceRequest.objects.all():
        # then its status changes, in time order, are the path to its status
        assert timelines[request.pk] == paths[request.status], request.number
        # numbered and due as the submit service does it
        assert request.number == f"IR{calendar_date(request.submitted_at):%Y%m%d}{request.pk:06d}"
        due = dispatch_due_date_for(request.submitted_at)
        assert (request.dispatch_due_date, request.dispatch_due_date_provisional) == (due.date, due.provisional)
        mailed = request.status in ("mailing", "voided")
        # a mailed one has its tracking number, payer and invoice numbers; cash on delivery only below 50.00
        assert bool(request.tracking_number) == bool(request.shipping_payer) == mailed
        assert (request.issued_invoices.count() > 0) == mailed
        if request.shipping_payer == "recipient":
            assert request.amount < Decimal("50.00")
        # overdue open requests were marked breached, as the SLA sweep would have
        if request.breached_at:
            assert request.status in ("pending", "processing")
            assert request.events.filter(kind=InvoiceEvent.Kind.BREACHED).count() == 1
    # the events' times never go backwards within a request
    backwards = _rows(
        "SELECT e.id FROM invoices_invoiceevent e JOIN invoices_invoiceevent f ON f.request_id = e.request_id "
        "AND f.id > e.id AND f.created_at < e.created_at AND f.kind = 'status_changed' AND e.kind = 'status_changed'"
    )
    assert backwards == []


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.PBKDF2PasswordHasher"])
def test_the_bench_users_log_in_and_the_services_work_on_top_of_the_data(loaded):
    # given the bench users (hashed for production's default hasher)
    for username in (BENCH_CUSTOMER_USER, BENCH_VENDOR_USER, BENCH_STAFF_USER, "customer2", "vendor2"):
        # then each logs in with the bench password
        assert authenticate(username=username, password=PASSWORD) is not None, username
    customer = User.objects.get(username=BENCH_CUSTOMER_USER)
    vendor_user = User.objects.get(username=BENCH_VENDOR_USER)
    assert vendor_user.vendor.name == BENCH_VENDOR_NAME
    assert User.objects.get(username=BENCH_STAFF_USER).is_marketplace_staff
    # when the bench customer applies to the bench vendor through the real service (the sequences follow the COPY)
    balance = VendorBalance.objects.get(customer_account=customer.customer_account, vendor=vendor_user.vendor)
    assert balance.invoiceable >= Decimal("1000000.00")
    request = submit(customer, vendor_user.vendor, "0.01")
    # then it is recorded like any other
    assert request.pk == InvoiceRequest.objects.latest("pk").pk
    balance.refresh_from_db()
    assert nightly_audit().money_invariant == 0
