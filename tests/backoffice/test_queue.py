"""The queue: tabs with counts, filters, search, sorting by mail-by date, paging, overdue rows, query count."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.core.workdays import calendar_date
from apps.invoices.models import InvoiceRequest
from apps.invoices.services import invoice_request_cancel, invoice_request_reject
from tests.factories import CustomerUserFactory, InvoiceTitleFactory, MailingAddressFactory, consume

from .helpers import accept, mail, make_overdue, row_ids, submit

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def queue(browser, **params):
    response = browser.get(reverse("backoffice:queue"), params)
    assert response.status_code == 200
    return response


def test_tabs_count_each_status_and_the_overdue_requests(browser_for, shopper, vendor, vendor_user):
    # given two pending (one overdue), one processing, one mailing, one rejected and one cancelled request
    overdue = make_overdue(submit(shopper, vendor, "10.00"))
    submit(shopper, vendor, "20.00")
    accept(submit(shopper, vendor, "30.00"), vendor_user)
    mail(submit(shopper, vendor, "40.00"), vendor_user, tracking="SF100000001", invoice="10000001")
    rejected = submit(shopper, vendor, "50.00")
    invoice_request_reject(actor=vendor_user, vendor=vendor, invoice_request_id=rejected.pk, reason="wrong title")
    cancelled = submit(shopper, vendor, "60.00")
    invoice_request_cancel(actor=shopper, customer_account=shopper.customer_account, invoice_request_id=cancelled.pk)

    # when the vendor opens the queue
    response = queue(browser_for(vendor_user))

    # then every tab has its count, the overdue link its own, and the open rows (pending, processing) are listed
    counts = {value: count for value, _label, count in response.context["status_tabs"]}
    assert counts == {"pending": 2, "processing": 1, "mailing": 1, "voided": 0, "cancelled": 1, "rejected": 1}
    assert (response.context["open_count"], response.context["total_count"]) == (3, 6)
    assert response.context["overdue_count"] == 1
    html = response.content.decode()
    assert re.search(r'data-testid="overdue-count">1<', html)
    assert re.search(r'data-testid="open-count">3<', html) and re.search(r'data-testid="total-count">6<', html)
    assert len(row_ids(html)) == 3
    # and the All tab lists all six
    assert len(row_ids(queue(browser_for(vendor_user), status="all").content.decode())) == 6
    # and the overdue tab lists the overdue request only
    assert row_ids(queue(browser_for(vendor_user), overdue="1").content.decode()) == [overdue.pk]


def test_rows_show_what_the_vendor_needs_and_are_sorted_by_mail_by_date(browser_for, shopper, vendor, vendor_user):
    # given three pending requests whose mail-by dates are not in submission order
    first = submit(shopper, vendor, "49.99")
    second = submit(shopper, vendor, "1234.50")
    third = submit(shopper, vendor, "50.00")
    today = calendar_date(timezone.now())
    for request, days in ((first, 30), (second, 10), (third, 20)):
        InvoiceRequest.objects.filter(pk=request.pk).update(dispatch_due_date=today + dt.timedelta(days=days))

    # when the vendor opens the queue
    html = queue(browser_for(vendor_user)).content.decode()

    # then the earliest mail-by date comes first
    assert row_ids(html) == [second.pk, third.pk, first.pk]
    # and a row shows the number (linked), customer, title and taxpayer ID, amount, who pays, mail-by and days left
    row = html.split(f'id="request-{second.pk}"')[1].split("</tr>")[0]
    assert reverse("backoffice:detail", args=[second.pk]) in row and second.number in row
    assert shopper.customer_account.name in row
    assert second.title_snapshot["name"] in row and second.title_snapshot["taxpayer_id"] in row
    assert "¥1,234.50" in row and 'class="num money"' in row
    assert 'data-rule="vendor_pays"' in row and "Vendor pays" in row
    assert (today + dt.timedelta(days=10)).isoformat() in row
    assert "working days left" in row
    assert 'name="request_ids"' in row and reverse("backoffice:accept", args=[second.pk]) in row
    # and below ¥50.00 cash on delivery is allowed, from ¥50.00 the vendor pays
    assert 'data-rule="cod_allowed"' in html.split(f'id="request-{first.pk}"')[1].split("</tr>")[0]
    assert 'data-rule="vendor_pays"' in html.split(f'id="request-{third.pk}"')[1].split("</tr>")[0]


def test_overdue_rows_stand_out_with_a_class_and_words(browser_for, shopper, vendor, vendor_user):
    late = make_overdue(submit(shopper, vendor, "100.00"))
    on_time = submit(shopper, vendor, "200.00")

    html = queue(browser_for(vendor_user)).content.decode()

    late_row = html.split(f'id="request-{late.pk}"')[0].rsplit("<tr", 1)[1] + html.split(f'id="request-{late.pk}"')[1]
    late_row = late_row.split("</tr>")[0]
    assert "row-overdue" in late_row and 'data-overdue="true"' in late_row
    assert "Overdue by" in late_row and 'data-testid="overdue-marker"' in late_row
    on_time_row = html.split(f'id="request-{on_time.pk}"')[1].split("</tr>")[0]
    assert "Overdue" not in on_time_row


def test_a_mailed_request_past_its_date_is_not_overdue(browser_for, shopper, vendor, vendor_user):
    # given a request mailed and then its mail-by date in the past
    mailed = make_overdue(
        mail(submit(shopper, vendor, "100.00"), vendor_user, tracking="SF100000002", invoice="10000002")
    )
    # then it does not count or show as overdue: the invoice is on its way
    response = queue(browser_for(vendor_user), status="all")
    assert response.context["overdue_count"] == 0
    assert "row-overdue" not in response.content.decode()
    assert row_ids(response.content.decode()) == [mailed.pk]


def test_filters_by_status_dates_and_search(browser_for, shopper, vendor, vendor_user):
    # given requests from two customers, submitted on different days, one processing
    other = CustomerUserFactory(customer_account__name="宁波另一家客户有限公司")
    InvoiceTitleFactory(
        customer_account=other.customer_account,
        is_default=True,
        name="宁波抬头科技有限公司",
        taxpayer_id="9144030071526726XG",
    )
    MailingAddressFactory(customer_account=other.customer_account, is_default=True)
    consume(customer_account=other.customer_account, vendor=vendor, amount="1000.00")
    older = submit(shopper, vendor, "100.00")
    newer = accept(submit(shopper, vendor, "200.00"), vendor_user)
    theirs = submit(other, vendor, "300.00")
    InvoiceRequest.objects.filter(pk=older.pk).update(
        submitted_at=dt.datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI), dispatch_due_date=dt.date(2026, 3, 16)
    )
    InvoiceRequest.objects.filter(pk=newer.pk).update(
        submitted_at=dt.datetime(2026, 3, 9, 10, 0, tzinfo=SHANGHAI), dispatch_due_date=dt.date(2026, 3, 23)
    )
    InvoiceRequest.objects.filter(pk=theirs.pk).update(
        submitted_at=dt.datetime(2026, 3, 9, 23, 30, tzinfo=SHANGHAI), dispatch_due_date=dt.date(2026, 3, 23)
    )
    browser = browser_for(vendor_user)

    def ids(**params):
        return sorted(row_ids(queue(browser, **params).content.decode()))

    # status
    assert ids(status="processing") == [newer.pk]
    # submitted dates are Shanghai calendar days
    assert ids(submitted_from="2026-03-09") == sorted([newer.pk, theirs.pk])
    assert ids(submitted_to="2026-03-08") == [older.pk]
    # mail-by dates
    assert ids(due_from="2026-03-20", due_to="2026-03-31") == sorted([newer.pk, theirs.pk])
    assert ids(due_to="2026-03-16") == [older.pk]
    # search: request number, customer, title name, taxpayer ID
    assert ids(q=older.number) == [older.pk]
    assert ids(q="另一家") == [theirs.pk]
    assert ids(q="宁波抬头") == [theirs.pk]
    assert ids(q="9144030071526726xg") == [theirs.pk]
    # filters combine
    assert ids(q=shopper.customer_account.name, status="pending") == [older.pk]


def test_a_wrong_date_range_is_reported_and_ignored(browser_for, shopper, vendor, vendor_user):
    request = submit(shopper, vendor, "100.00")
    response = queue(browser_for(vendor_user), due_from="2026-03-20", due_to="2026-03-01")
    assert "The end date is before the start date." in response.content.decode()
    assert row_ids(response.content.decode()) == [request.pk]


def test_pages_of_25_keep_the_filters(browser_for, shopper, vendor, vendor_user):
    # given 30 pending requests and 1 processing
    pending = [submit(shopper, vendor, f"{10 + n}.00") for n in range(30)]
    accept(submit(shopper, vendor, "99.00"), vendor_user)
    browser = browser_for(vendor_user)

    # when the pending tab is opened, then 25 rows and a link to page 2 that keeps status=pending
    first = queue(browser, status="pending")
    assert len(row_ids(first.content.decode())) == 25
    assert "?status=pending&amp;page=2" in first.content.decode()
    # and page 2 holds the other 5 pending ones
    second = queue(browser, status="pending", page="2")
    assert len(row_ids(second.content.decode())) == 5
    assert set(row_ids(first.content.decode()) + row_ids(second.content.decode())) == {r.pk for r in pending}
    # and a page past the end shows the last page instead of an error
    assert row_ids(queue(browser, status="pending", page="9").content.decode()) == row_ids(second.content.decode())


def test_the_queue_runs_the_same_number_of_queries_for_1_row_and_for_25(
    browser_for, shopper, vendor, vendor_user, django_assert_max_num_queries
):
    # given one request, the queries of the queue page are counted
    browser = browser_for(vendor_user)
    submit(shopper, vendor, "10.00")
    with CaptureQueriesContext(connection) as one_row:
        assert len(row_ids(queue(browser).content.decode())) == 1

    # when there are 40 requests in every status the vendor touches
    requests = [submit(shopper, vendor, f"{20 + n}.00") for n in range(39)]
    for n, request in enumerate(requests[:12]):
        if n % 2:
            accept(request, vendor_user)
        else:
            mail(request, vendor_user, tracking=f"SF2000000{n:02d}", invoice=f"200000{n:02d}")
    make_overdue(requests[20])

    # then a full page of 25 takes no more queries than the page with one row
    with django_assert_max_num_queries(len(one_row.captured_queries)):
        assert len(row_ids(queue(browser).content.decode())) == 25


def test_staff_queue_query_count_does_not_grow_with_rows(
    browser_for, shopper, vendor, other_vendor, staff_user, django_assert_max_num_queries
):
    browser = browser_for(staff_user)
    submit(shopper, vendor, "10.00")
    with CaptureQueriesContext(connection) as one_row:
        queue(browser)
    for n in range(30):
        submit(shopper, vendor if n % 2 else other_vendor, f"{20 + n}.00")
    with django_assert_max_num_queries(len(one_row.captured_queries)):
        assert len(row_ids(queue(browser).content.decode())) == 25


def test_an_empty_queue_explains_itself(browser_for, vendor_user):
    html = queue(browser_for(vendor_user)).content.decode()
    assert "No invoice requests yet" in html
    assert 'data-testid="queue-table"' not in html


# ---------- the default view: the work still owed ----------


def test_the_queue_opens_on_open_work_overdue_first_and_closed_requests_under_all(
    browser_for, shopper, vendor, vendor_user
):
    # given, by mail-by date: a rejected, a mailed and a cancelled request due long ago (closed), then a processing
    # request overdue, a pending one overdue by less, and a pending one due next week
    today = calendar_date(timezone.now())
    rejected = submit(shopper, vendor, "10.00")
    invoice_request_reject(actor=vendor_user, vendor=vendor, invoice_request_id=rejected.pk, reason="wrong title")
    mailed = mail(submit(shopper, vendor, "20.00"), vendor_user, tracking="SF100000009", invoice="10000009")
    cancelled = submit(shopper, vendor, "30.00")
    invoice_request_cancel(actor=shopper, customer_account=shopper.customer_account, invoice_request_id=cancelled.pk)
    late_processing = accept(submit(shopper, vendor, "40.00"), vendor_user)
    late_pending = submit(shopper, vendor, "50.00")
    next_week = submit(shopper, vendor, "60.00")
    for request, days in (
        (rejected, -40),
        (mailed, -30),
        (cancelled, -20),
        (late_processing, -10),
        (late_pending, -2),
        (next_week, 7),
    ):
        InvoiceRequest.objects.filter(pk=request.pk).update(dispatch_due_date=today + dt.timedelta(days=days))
    browser = browser_for(vendor_user)

    # when the vendor opens the queue
    response = queue(browser)
    html = response.content.decode()

    # then it lists pending and processing only, the overdue first, then by mail-by date
    assert row_ids(html) == [late_processing.pk, late_pending.pk, next_week.pk]
    assert response.context["current_status"] == "open"
    assert re.search(r'class="tab tab-open active" [^>]*data-status="open"', html)
    # and 全部 (All) is a tab of its own with every request, closed ones included
    everything = row_ids(queue(browser, status="all").content.decode())
    assert sorted(everything) == sorted(
        r.pk for r in (rejected, mailed, cancelled, late_processing, late_pending, next_week)
    )
    # and the overdue tab and a status tab still work from there
    assert row_ids(queue(browser, overdue="1").content.decode()) == [late_processing.pk, late_pending.pk]
    assert row_ids(queue(browser, status="mailing").content.decode()) == [mailed.pk]


def test_nothing_open_says_so_and_links_to_all(browser_for, shopper, vendor, vendor_user):
    mail(submit(shopper, vendor, "20.00"), vendor_user, tracking="SF100000010", invoice="10000010")
    html = queue(browser_for(vendor_user)).content.decode()
    assert row_ids(html) == []
    assert 'data-testid="show-all"' in html and "status=all" in html


def test_a_search_in_the_default_view_offers_every_status(browser_for, shopper, vendor, vendor_user):
    mailed = mail(submit(shopper, vendor, "20.00"), vendor_user, tracking="SF100000011", invoice="10000011")
    browser = browser_for(vendor_user)
    html = queue(browser, q=mailed.number).content.decode()
    assert row_ids(html) == [] and 'data-testid="search-all"' in html
    assert row_ids(queue(browser, q=mailed.number, status="all").content.decode()) == [mailed.pk]


# ---------- what the address bar can hold ----------


def test_a_page_past_the_end_or_not_a_number_shows_a_real_page(browser_for, shopper, vendor, vendor_user):
    requests = [submit(shopper, vendor, f"{10 + n}.00") for n in range(27)]
    browser = browser_for(vendor_user)
    last = row_ids(queue(browser, page="2").content.decode())
    assert len(last) == 2
    assert row_ids(queue(browser, page="99").content.decode()) == last
    assert len(row_ids(queue(browser, page="abc").content.decode())) == 25
    assert len(requests) == 27


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "shipped"}, "Status"),
        ({"sort": "-price"}, "Sort by"),
    ],
)
def test_an_unknown_filter_value_is_ignored_with_a_notice(browser_for, shopper, vendor, vendor_user, params, field):
    # given an open request and a closed one
    pending = submit(shopper, vendor, "10.00")
    mail(submit(shopper, vendor, "20.00"), vendor_user, tracking="SF100000012", invoice="10000012")

    # when a link carries a value that is not a choice
    response = queue(browser_for(vendor_user), **params)
    html = response.content.decode()

    # then the queue shows as without it (the default view), and a notice names what was ignored
    assert row_ids(html) == [pending.pk]
    notice = html.split('data-testid="ignored-filters"')[1].split("</div>")[0]
    value = next(iter(params.values()))
    assert f"“{value}” is not a choice of {field}: that filter was ignored." in notice
    assert "Select a valid choice" not in html and 'data-testid="filter-errors"' not in html


def test_an_unknown_vendor_is_ignored_for_staff(browser_for, shopper, vendor, other_vendor, staff_user):
    submit(shopper, vendor, "10.00")
    submit(shopper, other_vendor, "20.00")
    response = queue(browser_for(staff_user), vendor="999999")
    html = response.content.decode()
    assert len(row_ids(html)) == 2
    assert "is not a choice of Vendor" in html and "Select a valid choice" not in html
    assert response.context["scope_vendor"] is None


@pytest.mark.parametrize("name", ["submitted_from", "submitted_to", "due_from", "due_to"])
@pytest.mark.parametrize("date", ["9999-12-31", "0001-01-01"])
def test_the_first_and_last_dates_filter_the_queue_and_the_export(
    browser_for, shopper, vendor, vendor_user, name, date
):
    request = submit(shopper, vendor, "10.00")
    browser = browser_for(vendor_user)
    expected = [request.pk] if (name.endswith("_to")) == (date == "9999-12-31") else []
    assert row_ids(queue(browser, **{name: date}).content.decode()) == expected
    export = browser.get(reverse("backoffice:export"), {name: date})
    assert export.status_code == 200
    body = b"".join(export.streaming_content).decode("utf-8-sig").splitlines()
    assert len(body) == 1 + len(expected)


# ---------- on a phone ----------


def test_the_filters_fold_behind_a_toggle_that_needs_no_script(browser_for, shopper, vendor, vendor_user):
    submit(shopper, vendor, "10.00")
    browser = browser_for(vendor_user)

    html = queue(browser).content.decode()
    toggle = html.split('<details class="filter-more"')[1].split("</details>")[0]
    # the search stays in view; the other filters are inside the <details>, closed by default
    assert 'name="q"' not in toggle and 'name="q"' in html
    for name in ("status", "submitted_from", "submitted_to", "due_from", "due_to", "overdue", "sort"):
        assert f'name="{name}"' in toggle, name
    assert "<summary" in toggle and not toggle.lstrip().startswith("open")
    # and the toggle says how many filters are in use behind it
    used = queue(browser, due_from="2026-01-01", overdue="1").content.decode()
    assert re.search(r'data-testid="active-filter-count">2<', used)


def _row(html: str, pk: int) -> str:
    return re.search(rf'<tr id="request-{pk}".*?</tr>', html, re.S).group(0)


def _labels(row: str) -> list[str]:
    return re.findall(r'<td[^>]*data-label="([^"]*)"', row)


def test_each_row_carries_its_labels_links_and_actions(browser_for, shopper, vendor, vendor_user, staff_user):
    # given a pending request whose title (as submitted) needs escaping, a processing one and a mailed one
    pending = submit(shopper, vendor, "60.00")
    InvoiceRequest.objects.filter(pk=pending.pk).update(
        title_snapshot={"name": '<b>"A&B" 公司</b>', "taxpayer_id": "91110000600037341L"}
    )
    processing = accept(submit(shopper, vendor, "20.00"), vendor_user)
    mailed = mail(submit(shopper, vendor, "30.00"), vendor_user, tracking="SF100000009", invoice="10000009")
    pending, processing, mailed = (InvoiceRequest.objects.get(pk=r.pk) for r in (pending, processing, mailed))

    html = queue(browser_for(vendor_user), status="all").content.decode()

    # then every cell has its heading for the phones' cards (the checkbox cell has none)
    labels = ["Request number", "Customer account", "Invoice title", "Amount", "Shipping rule", "Mail by", "Status"]
    for request in (pending, processing, mailed):
        row = _row(html, request.pk)
        assert _labels(row) == [*labels, "Actions"]
        detail = reverse("backoffice:detail", args=[request.pk])
        assert f'<a href="{detail}" class="mono" data-testid="request-link">{request.number}</a>' in row
        assert f'data-status="{request.status}"' in row and 'data-testid="status-badge"' in row
    # the pending one: its checkbox, Accept and Reject, the title escaped, the amount as money
    row = _row(html, pending.pk)
    assert (
        f'<input type="checkbox" form="bulk-form" name="request_ids" value="{pending.pk}" id="select-{pending.pk}" '
        f'aria-label="Select {pending.number}">'
    ) in row
    assert f'formaction="{reverse("backoffice:accept", args=[pending.pk])}" data-testid="row-accept"' in row
    assert f'href="{reverse("backoffice:reject", args=[pending.pk])}" data-testid="row-reject"' in row
    assert "&lt;b&gt;&quot;A&amp;B&quot; 公司&lt;/b&gt;" in row and "<b>" not in row
    assert '<span class="sub mono">91110000600037341L</span>' in row
    assert 'data-testid="row-amount">¥60.00</td>' in row and 'data-rule="vendor_pays"' in row
    assert 'data-testid="row-detail"' not in row
    # the processing one: Mark mailed; the mailed one: Details, and who paid the courier
    row = _row(html, processing.pk)
    assert f'href="{reverse("backoffice:mail", args=[processing.pk])}" data-testid="row-mail"' in row
    assert 'name="request_ids"' not in row and 'data-testid="row-detail"' not in row
    row = _row(html, mailed.pk)
    assert f'href="{reverse("backoffice:detail", args=[mailed.pk])}" data-testid="row-detail">Details</a>' in row
    assert 'data-payer="vendor"' in row and 'data-testid="row-mail"' not in row

    # and staff (read-only) see the vendor column and Details only
    html = queue(browser_for(staff_user), status="all").content.decode()
    row = _row(html, pending.pk)
    assert _labels(row) == ["Request number", "Vendor", *labels[1:], "Actions"]
    assert f'<td data-label="Vendor">{vendor.name}</td>' in row
    assert 'data-testid="row-detail"' in row and 'name="request_ids"' not in row and "row-accept" not in row
