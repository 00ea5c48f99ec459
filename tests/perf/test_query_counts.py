"""Query counts of every list page and endpoint, pinned at two data sizes: they must not grow with the rows.

Each endpoint is fetched once with a few requests in the database and once with many more (bulk-inserted, every
status); the two counts must be equal and at most the pinned number. The counters behind the queue's tabs
(VendorStatusCount, kept by database triggers) are checked against a real count after every kind of write.
"""

import datetime as dt
from decimal import Decimal
from itertools import count

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.accounts import user_cache
from apps.invoices.models import InvoiceEvent, InvoiceRequest
from apps.invoices.selectors import (
    status_counts_counted,
    status_counts_counted_for_customer,
    status_counts_for_customer,
    status_counts_for_staff,
    status_counts_for_vendor,
)
from tests import helpers
from tests.factories import StaffUserFactory, consume

SMALL, LARGE = 3, 60
STATUSES = ["pending", "pending", "processing", "processing", "mailing", "cancelled", "rejected"]
_numbers = count(1)


def bulk_requests(*, customer, vendor, n: int) -> None:
    """n requests of `customer` to `vendor` over every status, inserted in one statement (as bench/data.py does)."""
    now = timezone.now()
    rows = []
    for i in range(n):
        status = STATUSES[i % len(STATUSES)]
        number = next(_numbers)
        mailed = status == "mailing"
        rows.append(
            InvoiceRequest(
                number=f"QC{number:010d}",
                customer_account=customer.customer_account,
                vendor=vendor,
                submitted_by=customer,
                amount=Decimal("60.00"),
                title_snapshot={"name": f"抬头{number}", "taxpayer_id": "91110000600037341L", "kind": "company"},
                address_snapshot={"recipient": "王五", "phone": "13800138000", "province": "北京市"},
                submitted_at=now - dt.timedelta(minutes=number),
                dispatch_due_date=(now - dt.timedelta(days=i % 20)).date(),
                status=status,
                tracking_number=f"SF{number:012d}" if mailed else "",
                courier="sf" if mailed else "",
                shipping_payer="vendor" if mailed else "",
                invoice_date=now.date() if mailed else None,
                mailed_at=now if mailed else None,
            )
        )
    InvoiceRequest.objects.bulk_create(rows)


@pytest.fixture
def world(customer, vendor, vendor_user):
    consume(customer_account=customer.customer_account, vendor=vendor, amount="100000000")
    staff = StaffUserFactory()
    world = {
        "customer": customer,
        "vendor": vendor,
        "vendor_user": vendor_user,
        "staff": staff,
        "customer_page": helpers.page_client(customer),
        "customer_api": helpers.api_client(customer),
        "vendor_page": helpers.page_client(vendor_user),
        "vendor_api": helpers.api_client(vendor_user),
        "staff_page": helpers.page_client(staff),
        "staff_api": helpers.api_client(staff),
    }
    # Creating a user or signing in (last_login) leaves a marker that keeps the user out of the cache for a few
    # seconds (apps/accounts/user_cache.py); these counts are of the steady state, after it expired.
    cache.delete_many([user_cache.KEY.format(user.pk) for user in (customer, vendor_user, staff)])
    return world


def _detail_id(world) -> int:
    return InvoiceRequest.objects.filter(customer_account=world["customer"].customer_account).order_by("pk")[0].pk


# (name, client key, url or callable(world) -> url, pinned maximum). With the shared cache warm, a signed-in request
# costs no query for its user or token (apps/accounts/user_cache.py, apps/core/api/authentication.py); a page's
# session is one (sessions stay in PostgreSQL).
GETS = [
    ("customer records API", "customer_api", "/api/v1/invoice-requests/", 3),
    ("customer records page", "customer_page", "/console/records/", 6),
    ("customer records page, a status", "customer_page", "/console/records/?status=pending", 6),
    ("invoiceable page", "customer_page", "/console/", 3),
    ("invoiceable API", "customer_api", "/api/v1/invoiceable/", 1),
    ("apply page", "customer_page", lambda w: reverse("console:apply", args=[w["vendor"].pk]), 7),
    ("customer request detail page", "customer_page", lambda w: f"/console/records/{_detail_id(w)}/", 7),
    ("customer request detail API", "customer_api", lambda w: f"/api/v1/invoice-requests/{_detail_id(w)}/", 3),
    ("vendor queue page", "vendor_page", "/backoffice/", 4),
    ("vendor queue page, a status tab", "vendor_page", "/backoffice/?status=processing", 4),
    ("vendor queue page, all", "vendor_page", "/backoffice/?status=all", 4),
    ("vendor queue page, a search", "vendor_page", "/backoffice/?q=%E6%8A%AC%E5%A4%B4", 7),
    ("vendor queue page, overdue", "vendor_page", "/backoffice/?overdue=1", 5),
    ("vendor queue API", "vendor_api", "/api/v1/vendor/invoice-requests/", 2),
    ("vendor queue API, a status", "vendor_api", "/api/v1/vendor/invoice-requests/?status=pending", 2),
    ("vendor queue API, a search", "vendor_api", "/api/v1/vendor/invoice-requests/?search=%E6%8A%AC%E5%A4%B4", 4),
    ("vendor request detail page", "vendor_page", lambda w: f"/backoffice/requests/{_detail_id(w)}/", 7),
    ("staff queue page", "staff_page", "/backoffice/", 6),
    ("staff overdue list", "staff_page", "/staff/", 4),
    ("staff SLA dashboard", "staff_page", "/staff/vendors/", 3),
    ("staff SLA API", "staff_api", "/api/v1/staff/sla/", 1),
]


def _count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries.captured_queries)


@pytest.mark.django_db
def test_list_pages_and_endpoints_run_a_constant_number_of_queries(world):
    bulk_requests(customer=world["customer"], vendor=world["vendor"], n=SMALL)
    urls = [(name, key, url(world) if callable(url) else url, pinned) for name, key, url, pinned in GETS]
    for _name, key, url, _pinned in urls:  # warm: sessions, the working-day calendar, content types
        world[key].get(url)
    small = {name: _count_queries(world[key], url) for name, key, url, _pinned in urls}
    bulk_requests(customer=world["customer"], vendor=world["vendor"], n=LARGE - SMALL)
    # The new rows change the status counters, so the first view recounts the queue's cached figures (one more
    # query, whatever the rows: tests/invoices/test_sla_figures.py); compare the views after it, as before.
    for _name, key, url, _pinned in urls:
        world[key].get(url)
    large = {name: _count_queries(world[key], url) for name, key, url, _pinned in urls}
    for name, _key, _url, pinned in urls:
        assert small[name] == large[name], (
            f"{name}: {small[name]} queries with {SMALL} rows, {large[name]} with {LARGE}"
        )
        assert large[name] <= pinned, f"{name}: {large[name]} queries, pinned at most {pinned}"


@pytest.mark.django_db
@pytest.mark.parametrize("api", [True, False], ids=["API", "page"])
def test_applying_runs_a_constant_number_of_queries(world, api):
    customer, vendor = world["customer"], world["vendor"]
    account = customer.customer_account
    title, address = account.titles.get(is_default=True).pk, account.addresses.get(is_default=True).pk

    def apply() -> int:
        with CaptureQueriesContext(connection) as queries:
            if api:
                response = world["customer_api"].post(
                    "/api/v1/invoice-requests/",
                    {"vendor": vendor.pk, "amount": "1.00", "title": title, "address": address},
                    format="json",
                )
                assert response.status_code == 201, response.content
            else:
                response = world["customer_page"].post(
                    reverse("console:apply_confirm", args=[vendor.pk]),
                    {"amount": "1.00", "invoice_type": "general", "title": title, "address": address},
                )
                assert response.status_code == 302, response.content
        return len(queries.captured_queries)

    bulk_requests(customer=customer, vendor=vendor, n=SMALL)
    apply()
    small = apply()
    bulk_requests(customer=customer, vendor=vendor, n=LARGE - SMALL)
    large = apply()
    assert small == large
    assert large <= 15


@pytest.mark.django_db
def test_stored_status_counts_follow_every_kind_of_write(world, other_vendor, other_customer, submit):
    customer, vendor = world["customer"], world["vendor"]
    other_account = other_customer.customer_account
    consume(customer_account=customer.customer_account, vendor=other_vendor, amount="1000")

    def assert_counts_true():
        for scope in (vendor, other_vendor):
            assert status_counts_for_vendor(vendor=scope) == status_counts_counted(vendor=scope)
            assert status_counts_for_staff(vendor=scope) == status_counts_counted(vendor=scope)
        assert status_counts_for_staff() == status_counts_counted()
        for account in (customer.customer_account, other_account):
            assert status_counts_for_customer(customer_account=account) == status_counts_counted_for_customer(
                customer_account=account
            )

    bulk_requests(customer=customer, vendor=vendor, n=20)  # a bulk insert
    assert_counts_true()
    first = submit(customer, vendor, "10.00")  # the submit service
    second = submit(customer, other_vendor, "10.00")
    assert_counts_true()
    helpers.accept(first)  # transitions
    helpers.cancel(second)
    assert_counts_true()
    InvoiceRequest.objects.filter(vendor=vendor, status="processing").update(status="rejected")  # a bulk update
    InvoiceRequest.objects.filter(vendor=vendor).update(at_risk_notified_at=timezone.now())  # no status change
    assert_counts_true()
    InvoiceRequest.objects.filter(pk=second.pk).update(vendor=vendor)  # a request moved to another vendor
    assert_counts_true()
    InvoiceRequest.objects.filter(pk=second.pk).update(customer_account=other_account)  # ... or another account
    assert_counts_true()
    rejected = InvoiceRequest.objects.filter(vendor=vendor, status="rejected")
    InvoiceEvent.objects.filter(request__in=rejected).delete()
    rejected.delete()  # a delete
    assert_counts_true()
    assert status_counts_for_vendor(vendor=vendor)["rejected"] == 0
    assert status_counts_for_customer(customer_account=customer.customer_account)["rejected"] == 0


@pytest.mark.django_db
def test_a_broad_and_a_narrow_search_find_the_same_requests(world, monkeypatch):
    from apps.invoices import selectors

    customer, vendor = world["customer"], world["vendor"]
    bulk_requests(customer=customer, vendor=vendor, n=12)
    account_name = customer.customer_account.name
    number = InvoiceRequest.objects.filter(vendor=vendor).order_by("pk")[3].number
    for term in ("抬头", "抬头1", number, number.lower(), account_name, "91110000600037341l", "nothing like it"):
        narrow = list(selectors.invoice_requests_for_vendor(vendor=vendor, search=term).values_list("pk", flat=True))
        monkeypatch.setattr(selectors, "SEARCH_ID_LIMIT", 0)  # every search takes the broad path
        broad = list(selectors.invoice_requests_for_vendor(vendor=vendor, search=term).values_list("pk", flat=True))
        monkeypatch.undo()
        assert narrow == broad, term
    assert len(selectors.invoice_requests_for_vendor(vendor=vendor, search=account_name)) == 12


@pytest.mark.django_db
def test_the_records_list_size_from_the_counters_equals_a_real_count(world, other_customer):
    customer, vendor = world["customer"], world["vendor"]
    bulk_requests(customer=customer, vendor=vendor, n=45)
    bulk_requests(customer=other_customer, vendor=vendor, n=7)  # another account's requests are not counted
    mine = InvoiceRequest.objects.filter(customer_account=customer.customer_account)
    # (API query, page query, expected): a date filter is counted over the rows, the others come from the counters
    for api_query, page_query, expected in (
        ("", "", mine.count()),
        ("?status=pending", "?status=pending", mine.filter(status="pending").count()),
        ("?status=rejected", "?status=rejected", mine.filter(status="rejected").count()),
        ("?submitted_from=2099-01-01", "?date_from=2099-01-01", 0),
    ):
        api = world["customer_api"].get(f"/api/v1/invoice-requests/{api_query}")
        assert api.json()["count"] == expected, api_query
        page = world["customer_page"].get(f"/console/records/{page_query}")
        assert page.context["paginator"].count == expected, page_query
