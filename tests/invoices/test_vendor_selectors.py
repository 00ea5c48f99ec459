"""The vendor's queue: scoped to the vendor (staff see all), filtered, searched, ordered by the mail-by date, with
working days left and per-status counts."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from apps.core.errors import NotFoundError
from apps.invoices.models import InvoiceRequest
from apps.invoices.selectors import (
    invoice_request_for_staff,
    invoice_request_for_vendor,
    invoice_requests_for_staff,
    invoice_requests_for_vendor,
    overdue_count_for_staff,
    overdue_count_for_vendor,
    status_counts_for_staff,
    status_counts_for_vendor,
    working_days_left,
)
from apps.invoices.services import invoice_request_accept, invoice_request_cancel
from tests.factories import InvoiceTitleFactory, consume
from tests.helpers import reach_status, submit

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _place(request, *, submitted: dt.datetime, due: dt.date) -> InvoiceRequest:
    InvoiceRequest.objects.filter(pk=request.pk).update(submitted_at=submitted, dispatch_due_date=due)
    return InvoiceRequest.objects.get(pk=request.pk)


@pytest.fixture
def two_vendors(consumed, other_customer, vendor, other_vendor):
    """customer1 consumed with both vendors, customer2 with vendor."""
    consume(customer_account=consumed.customer_account, vendor=other_vendor, amount="1000.00")
    consume(customer_account=other_customer.customer_account, vendor=vendor, amount="1000.00")
    return consumed


# --- scoping --------------------------------------------------------------------------------------------------


def test_vendor2_never_sees_vendor1s_requests(two_vendors, other_customer, vendor, other_vendor):
    # given requests to vendor1 from two customers and one request to vendor2
    mine = [submit(two_vendors, vendor, "10.00"), submit(other_customer, vendor, "20.00")]
    theirs = submit(two_vendors, other_vendor, "30.00")
    # when each vendor lists its queue
    # then each sees only the requests addressed to it
    assert set(invoice_requests_for_vendor(vendor=vendor)) == set(mine)
    assert list(invoice_requests_for_vendor(vendor=other_vendor)) == [theirs]
    # and opening the other's request is not found, whatever the filters
    for request in mine:
        with pytest.raises(NotFoundError) as raised:
            invoice_request_for_vendor(vendor=other_vendor, invoice_request_id=request.pk)
        assert raised.value.status_code == 404
    assert list(invoice_requests_for_vendor(vendor=other_vendor, search=mine[0].number)) == []
    assert status_counts_for_vendor(vendor=other_vendor)["pending"] == 1


def test_staff_read_every_vendors_requests_through_their_own_selectors(two_vendors, vendor, other_vendor):
    # given a request to each vendor, one of them overdue
    mine, theirs = submit(two_vendors, vendor, "10.00"), submit(two_vendors, other_vendor, "30.00")
    _place(mine, submitted=mine.submitted_at, due=dt.date(2025, 3, 3))
    today = dt.date(2025, 3, 6)
    # when staff read the queue, without and with a vendor filter
    # then they see every vendor's requests, or the one vendor's they filtered on
    assert set(invoice_requests_for_staff()) == {mine, theirs}
    assert list(invoice_requests_for_staff(vendor=other_vendor)) == [theirs]
    assert invoice_request_for_staff(invoice_request_id=theirs.pk) == theirs
    assert status_counts_for_staff()["pending"] == 2
    assert status_counts_for_staff(vendor=other_vendor)["pending"] == 1
    assert overdue_count_for_staff(today=today) == 1
    assert overdue_count_for_staff(vendor=other_vendor, today=today) == 0
    with pytest.raises(NotFoundError):
        invoice_request_for_staff(invoice_request_id=999999)


def test_a_vendor_selector_never_widens_to_every_vendor(two_vendors, vendor, other_vendor):
    # given requests to two vendors
    submit(two_vendors, vendor, "10.00")
    theirs = submit(two_vendors, other_vendor, "30.00")
    # when a vendor selector is called without a vendor (a bug at a call site)
    # then it finds nothing instead of every vendor's requests
    assert list(invoice_requests_for_vendor(vendor=None)) == []
    assert status_counts_for_vendor(vendor=None)["pending"] == 0
    with pytest.raises(NotFoundError):
        invoice_request_for_vendor(vendor=None, invoice_request_id=theirs.pk)


@pytest.mark.parametrize("request_id", [999999, 0, -1, 2**63 - 1])
def test_an_unknown_request_is_not_found(vendor, request_id):
    with pytest.raises(NotFoundError):
        invoice_request_for_vendor(vendor=vendor, invoice_request_id=request_id)


def test_one_request_comes_with_its_timeline_and_invoice_numbers_in_a_fixed_number_of_queries(
    consumed, vendor, vendor_user, django_assert_num_queries
):
    request = submit(consumed, vendor, "10.00")
    invoice_request_accept(actor=vendor_user, vendor=vendor, invoice_request_id=request.pk)
    # request with vendor/account/submitter, events with actors, invoice numbers
    with django_assert_num_queries(3):
        found = invoice_request_for_vendor(vendor=vendor, invoice_request_id=request.pk)
        assert [(e.actor.username, e.to_status) for e in found.events.all()] == [
            (consumed.username, "pending"),
            (vendor_user.username, "processing"),
        ]
        assert list(found.issued_invoices.all()) == []
        assert (found.customer_account.name, found.submitted_by.username) == (
            consumed.customer_account.name,
            consumed.username,
        )


def test_listing_takes_one_query_whatever_the_number_of_rows(consumed, vendor, django_assert_num_queries):
    for _ in range(15):
        submit(consumed, vendor, "10.00")
    with django_assert_num_queries(1):
        rows = [(r.vendor.name, r.customer_account.name, r.number) for r in invoice_requests_for_vendor(vendor=vendor)]
    assert len(rows) == 15


# --- filters and order ----------------------------------------------------------------------------------------


@pytest.fixture
def queue(two_vendors, other_customer, vendor, vendor_user):
    """Four requests to vendor, placed on known dates (Asia/Shanghai):

    a: submitted Thu 03-06 23:30, due Thu 03-20, pending
    b: submitted Fri 03-07 00:30, due Fri 03-21, processing (customer2, title "远方贸易有限公司")
    c: submitted Mon 03-10 09:00, due Mon 03-24, mailing
    d: submitted Tue 03-11 09:00, due Tue 03-25, cancelled
    """
    InvoiceTitleFactory(
        customer_account=other_customer.customer_account,
        name="远方贸易有限公司",
        taxpayer_id="9144030071526726XG",
        is_default=False,
    )
    other_customer.customer_account.titles.update(is_default=False)
    other_customer.customer_account.titles.filter(name="远方贸易有限公司").update(is_default=True)
    a = submit(two_vendors, vendor, "10.00")
    b = submit(other_customer, vendor, "20.00")
    c = submit(two_vendors, vendor, "30.00")
    d = submit(two_vendors, vendor, "40.00")
    invoice_request_accept(actor=vendor_user, vendor=vendor, invoice_request_id=b.pk)
    reach_status(c, "mailing")
    invoice_request_cancel(actor=two_vendors, customer_account=two_vendors.customer_account, invoice_request_id=d.pk)
    return {
        "a": _place(a, submitted=dt.datetime(2025, 3, 6, 23, 30, tzinfo=SHANGHAI), due=dt.date(2025, 3, 20)),
        "b": _place(b, submitted=dt.datetime(2025, 3, 7, 0, 30, tzinfo=SHANGHAI), due=dt.date(2025, 3, 21)),
        "c": _place(c, submitted=dt.datetime(2025, 3, 10, 9, 0, tzinfo=SHANGHAI), due=dt.date(2025, 3, 24)),
        "d": _place(d, submitted=dt.datetime(2025, 3, 11, 9, 0, tzinfo=SHANGHAI), due=dt.date(2025, 3, 25)),
    }


def _names(queue, requests) -> list[str]:
    by_pk = {request.pk: name for name, request in queue.items()}
    return [by_pk[request.pk] for request in requests]


def test_the_queue_is_sorted_by_mail_by_date(queue, vendor):
    # given the due dates are in the opposite order of the IDs for two of them
    _place(queue["a"], submitted=queue["a"].submitted_at, due=dt.date(2025, 3, 26))
    assert _names(queue, invoice_requests_for_vendor(vendor=vendor)) == ["b", "c", "d", "a"]


def test_equal_mail_by_dates_keep_the_submission_order(queue, vendor):
    for name in ("a", "b"):
        _place(queue[name], submitted=queue[name].submitted_at, due=dt.date(2025, 3, 20))
    _place(queue["a"], submitted=dt.datetime(2025, 3, 7, 8, 0, tzinfo=SHANGHAI), due=dt.date(2025, 3, 20))
    assert _names(queue, invoice_requests_for_vendor(vendor=vendor))[:2] == ["b", "a"]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, ["a", "b", "c", "d"]),
        ({"status": "pending"}, ["a"]),
        ({"status": "processing"}, ["b"]),
        ({"status": "mailing"}, ["c"]),
        ({"status": "cancelled"}, ["d"]),
        ({"status": "rejected"}, []),
        # Submission dates are Shanghai calendar days: 03-06 23:30 is the 6th, 03-07 00:30 the 7th.
        ({"submitted_from": dt.date(2025, 3, 7)}, ["b", "c", "d"]),
        ({"submitted_to": dt.date(2025, 3, 6)}, ["a"]),
        ({"submitted_from": dt.date(2025, 3, 7), "submitted_to": dt.date(2025, 3, 10)}, ["b", "c"]),
        ({"due_from": dt.date(2025, 3, 21)}, ["b", "c", "d"]),
        ({"due_to": dt.date(2025, 3, 21)}, ["a", "b"]),
        ({"due_from": dt.date(2025, 3, 24), "due_to": dt.date(2025, 3, 24)}, ["c"]),
        ({"status": "pending", "due_to": dt.date(2025, 3, 19)}, []),
    ],
)
def test_filters(queue, vendor, filters, expected):
    assert _names(queue, invoice_requests_for_vendor(vendor=vendor, **filters)) == expected


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.date(2025, 3, 20), []),  # due today is not overdue yet
        (dt.date(2025, 3, 21), ["a"]),
        (dt.date(2025, 3, 22), ["a", "b"]),
        # c (mailed) and d (cancelled) are never overdue: the vendor owes nothing more for them
        (dt.date(2025, 4, 30), ["a", "b"]),
    ],
)
def test_overdue_means_still_open_and_past_the_mail_by_date(queue, vendor, today, expected):
    overdue = invoice_requests_for_vendor(vendor=vendor, overdue=True, today=today)
    assert _names(queue, overdue) == expected
    assert overdue_count_for_vendor(vendor=vendor, today=today) == len(expected)


def test_overdue_combines_with_the_status_filter(queue, vendor):
    today = dt.date(2025, 3, 22)
    assert _names(
        queue, invoice_requests_for_vendor(vendor=vendor, overdue=True, status="processing", today=today)
    ) == ["b"]


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("number:a", ["a"]),
        ("number:a:lower", ["a"]),
        ("number:prefix", ["a", "b", "c", "d"]),
        ("customer:b", ["b"]),
        ("远方贸易", ["b"]),
        ("9144030071526726XG", ["b"]),
        ("9144030071526726xg", ["b"]),
        ("91110000600037341L", ["a", "c", "d"]),
        ("  91110000600037341L  ", ["a", "c", "d"]),
        ("nobody", []),
        ("", ["a", "b", "c", "d"]),
    ],
)
def test_search_by_number_customer_title_name_or_taxpayer_id(queue, vendor, search, expected):
    if search == "number:a":
        search = queue["a"].number
    elif search == "number:a:lower":
        search = queue["a"].number.lower()
    elif search == "number:prefix":
        search = "IR"
    elif search == "customer:b":
        search = queue["b"].customer_account.name
    assert _names(queue, invoice_requests_for_vendor(vendor=vendor, search=search)) == expected


def test_a_partial_taxpayer_id_finds_nothing(queue, vendor):
    # A taxpayer ID is matched whole: part of one is as likely to match a stranger's as the one meant.
    assert list(invoice_requests_for_vendor(vendor=vendor, search="9144030071")) == []


# --- working days left and counts -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "left"),
    [
        (dt.date(2025, 3, 6), 10),  # the submission day: ten working days to go
        (dt.date(2025, 3, 14), 4),  # Friday
        (dt.date(2025, 3, 15), 4),  # Saturday: no working day passed
        (dt.date(2025, 3, 20), 0),  # due today
        (dt.date(2025, 3, 21), -1),
        (dt.date(2025, 3, 24), -2),  # the weekend in between does not count
    ],
)
def test_working_days_left(queue, today, left):
    request = _place(queue["a"], submitted=queue["a"].submitted_at, due=dt.date(2025, 3, 20))
    assert working_days_left(invoice_request=request, today=today) == left


def test_no_working_days_left_once_mailed_or_closed(queue):
    today = dt.date(2025, 3, 6)
    assert working_days_left(invoice_request=queue["b"], today=today) == 11  # processing: still counting
    assert working_days_left(invoice_request=queue["c"], today=today) is None  # mailing
    assert working_days_left(invoice_request=queue["d"], today=today) is None  # cancelled


def test_counts_per_status_in_one_query(queue, vendor, other_vendor, django_assert_num_queries):
    with django_assert_num_queries(1):
        counts = status_counts_for_vendor(vendor=vendor)
    assert counts == {
        "pending": 1,
        "processing": 1,
        "mailing": 1,
        "voided": 0,
        "cancelled": 1,
        "rejected": 0,
    }
    assert set(status_counts_for_vendor(vendor=other_vendor).values()) == {0}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"submitted_to": dt.date.max}, ["a", "b", "c", "d"]),
        ({"submitted_from": dt.date.max}, []),
        ({"submitted_from": dt.date.min, "submitted_to": dt.date(2025, 3, 6)}, ["a"]),
        ({"submitted_to": dt.date.min}, []),
        ({"due_from": dt.date.min, "due_to": dt.date.max}, ["a", "b", "c", "d"]),
        ({"due_from": dt.date.max}, []),
    ],
)
def test_date_filters_take_any_valid_date_up_to_the_edges(queue, vendor, filters, expected):
    # given the queue placed in March 2025
    # when a date filter is at the first or last date there is (9999-12-31 typed into the filter)
    # then it answers like any other date instead of an OverflowError, for vendors and staff alike
    assert _names(queue, invoice_requests_for_vendor(vendor=vendor, **filters)) == expected
    assert _names(queue, invoice_requests_for_staff(vendor=vendor, **filters)) == expected
