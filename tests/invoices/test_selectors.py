import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from apps.core.errors import NotFoundError
from apps.invoices.models import InvoiceRequest
from apps.invoices.selectors import invoice_request_for_customer, invoice_requests_for_customer, vendors_of_customer
from apps.invoices.services import invoice_request_cancel
from tests.factories import consume
from tests.helpers import reach_status, submit

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def both_consumed(consumed, vendor, other_vendor, other_customer):
    consume(customer_account=consumed.customer_account, vendor=other_vendor, amount="500.00")
    consume(customer_account=other_customer.customer_account, vendor=vendor, amount="800.00")
    return consumed


def test_customer2_never_sees_customer1_requests(both_consumed, vendor, other_customer):
    # given requests of customer1 and customer2
    mine = submit(both_consumed, vendor, "100.00")
    theirs = submit(other_customer, vendor, "200.00")
    # when each lists its requests
    # then each sees only its own
    assert list(invoice_requests_for_customer(customer_account=both_consumed.customer_account)) == [mine]
    assert list(invoice_requests_for_customer(customer_account=other_customer.customer_account)) == [theirs]
    # and opening the other's request is not found
    with pytest.raises(NotFoundError):
        invoice_request_for_customer(customer_account=other_customer.customer_account, invoice_request_id=mine.pk)


def test_requests_are_newest_first_and_filter_by_status_and_vendor(both_consumed, vendor, other_vendor):
    # given three requests: two with vendor (one cancelled), one processing with other_vendor
    first = submit(both_consumed, vendor, "10.00")
    second = submit(both_consumed, vendor, "20.00")
    third = reach_status(submit(both_consumed, other_vendor, "30.00"), "processing")
    invoice_request_cancel(
        actor=both_consumed, customer_account=both_consumed.customer_account, invoice_request_id=first.pk
    )
    account = both_consumed.customer_account
    # when they are listed with and without filters
    # then the newest comes first, and the filters narrow the list
    assert list(invoice_requests_for_customer(customer_account=account)) == [third, second, first]
    assert list(invoice_requests_for_customer(customer_account=account, status="cancelled")) == [first]
    assert list(invoice_requests_for_customer(customer_account=account, vendor_id=vendor.pk)) == [second, first]
    assert list(invoice_requests_for_customer(customer_account=account, status="processing", vendor_id=vendor.pk)) == []


def test_date_filters_use_shanghai_calendar_days(both_consumed, vendor):
    # given requests submitted late on 11-26 and early on 11-27 Shanghai time (both 11-26 in UTC)
    late = submit(both_consumed, vendor, "10.00")
    early = submit(both_consumed, vendor, "20.00")
    InvoiceRequest.objects.filter(pk=late.pk).update(submitted_at=dt.datetime(2026, 11, 26, 23, 30, tzinfo=SHANGHAI))
    InvoiceRequest.objects.filter(pk=early.pk).update(submitted_at=dt.datetime(2026, 11, 27, 0, 30, tzinfo=SHANGHAI))
    account = both_consumed.customer_account
    # when the list is filtered to 11-27
    day = dt.date(2026, 11, 27)
    found = list(invoice_requests_for_customer(customer_account=account, submitted_from=day, submitted_to=day))
    # then only the request made on 11-27 in Shanghai is listed
    assert found == [early]
    assert list(invoice_requests_for_customer(customer_account=account, submitted_to=dt.date(2026, 11, 26))) == [late]
    # and the same holds while a request has activated another time zone
    with timezone.override(ZoneInfo("America/New_York")):
        found = list(invoice_requests_for_customer(customer_account=account, submitted_from=day, submitted_to=day))
    assert found == [early]


def test_detail_includes_the_timeline_in_order(both_consumed, vendor):
    # given a cancelled request
    request = submit(both_consumed, vendor, "10.00")
    invoice_request_cancel(
        actor=both_consumed,
        customer_account=both_consumed.customer_account,
        invoice_request_id=request.pk,
        reason="重开",
    )
    # when its detail is read
    detail = invoice_request_for_customer(
        customer_account=both_consumed.customer_account, invoice_request_id=request.pk
    )
    # then the timeline lists both changes in order
    assert [(e.from_status, e.to_status, e.reason) for e in detail.events.all()] == [
        ("", "pending", ""),
        ("pending", "cancelled", "重开"),
    ]


@pytest.mark.parametrize("bad_id", [999999, 0, -1])
def test_unknown_request_ids_are_not_found(consumed, bad_id):
    # given an ID that is not a number or does not exist
    # when it is opened
    # then it is not found
    with pytest.raises(NotFoundError):
        invoice_request_for_customer(customer_account=consumed.customer_account, invoice_request_id=bad_id)


def test_vendors_of_customer_are_only_the_vendors_it_consumed_with(both_consumed, vendor, other_vendor, other_customer):
    # given customer1 consumed with both vendors and customer2 with one
    # when the vendor filter choices are read
    # then each sees only its own vendors
    assert set(vendors_of_customer(customer_account=both_consumed.customer_account)) == {vendor, other_vendor}
    assert list(vendors_of_customer(customer_account=other_customer.customer_account)) == [vendor]


@pytest.mark.parametrize(
    ("submitted_from", "submitted_to", "found"),
    [
        (None, dt.date.max, True),
        (dt.date.min, dt.date.max, True),
        (dt.date.max, None, False),
        (dt.date.min, dt.date.min, False),
    ],
)
def test_records_date_filters_take_the_first_and_last_dates(consumed, vendor, submitted_from, submitted_to, found):
    # given a request submitted today
    request = submit(consumed, vendor, "100.00")
    # when the records are filtered up to 9999-12-31 or from 0001-01-01 (no day after or before them exists)
    requests = invoice_requests_for_customer(
        customer_account=consumed.customer_account, submitted_from=submitted_from, submitted_to=submitted_to
    )
    # then the filter answers like any other date
    assert list(requests) == ([request] if found else [])
