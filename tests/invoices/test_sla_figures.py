"""The SLA as staff and vendors read it: each vendor's on-time rate and breach count over the last 30/90 days (one
grouped query), and the overdue requests across vendors with how many working days late each is."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.core.paginator import Paginator

from apps.accounts.models import Vendor
from apps.invoices.models import InvoiceRequest
from apps.invoices.selectors import (
    deadline_counts_for_vendor,
    overdue_invoice_requests_for_staff,
    queue_figures_for_vendor,
    staff_sla_figures_cache_key,
    status_counts_for_vendor,
    vendor_sla_figure,
    vendor_sla_figures,
    vendor_sla_figures_for_staff_page,
)
from apps.invoices.sla import sla_sweep
from tests.factories import VendorFactory, consume
from tests.helpers import cancel, fresh, mail

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 3, 31)  # a Tuesday; March 2026 has no holiday


def place(request: InvoiceRequest, *, due: dt.date, mailed_at: dt.datetime | None = None) -> InvoiceRequest:
    """Set the due date (and the mailing time) of a request that reached its status through the services."""
    changes = {"dispatch_due_date": due}
    if mailed_at is not None:
        changes["mailed_at"] = mailed_at
    InvoiceRequest.objects.filter(pk=request.pk).update(**changes)
    return fresh(request)


def shanghai(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def history(consumed, vendor, submit):
    """`vendor`: 3 requests due in the last 30 days (1 on time, 1 mailed a minute after midnight in Shanghai,
    1 still open and breached), one due 49 days ago mailed late, and some that do not count. `punctual`: 1 on time,
    1 overdue by 2 working days. `quiet`: nothing due."""
    punctual = VendorFactory(name="准时服务商")
    quiet = VendorFactory(name="安静服务商")
    consume(customer_account=consumed.customer_account, vendor=punctual, amount="1000.00")
    on_time = place(mail(submit(consumed, vendor)), due=dt.date(2026, 3, 10), mailed_at=shanghai(2026, 3, 10, 23, 30))
    late = place(mail(submit(consumed, vendor)), due=dt.date(2026, 3, 10), mailed_at=shanghai(2026, 3, 11, 0, 30))
    still_open = place(submit(consumed, vendor), due=dt.date(2026, 3, 20))
    place(cancel(submit(consumed, vendor)), due=dt.date(2026, 3, 20))  # cancelled: never owed
    place(mail(submit(consumed, vendor)), due=dt.date(2026, 2, 10), mailed_at=shanghai(2026, 2, 12, 9, 0))
    place(mail(submit(consumed, vendor)), due=dt.date(2026, 4, 7), mailed_at=shanghai(2026, 3, 30, 9, 0))  # not due
    due_today = place(submit(consumed, vendor), due=TODAY)  # not late yet
    place(mail(submit(consumed, punctual)), due=dt.date(2026, 3, 16), mailed_at=shanghai(2026, 3, 13, 9, 0))
    overdue_two = place(submit(consumed, punctual), due=dt.date(2026, 3, 27))  # Friday: late Monday and Tuesday
    # the sweep on the 21st found the open one overdue
    assert sla_sweep(now=shanghai(2026, 3, 21, 10, 0)).breached == 1
    return {
        "vendor": vendor,
        "punctual": punctual,
        "quiet": quiet,
        "on_time": on_time,
        "late": late,
        "still_open": still_open,
        "due_today": due_today,
        "overdue_two": overdue_two,
    }


def test_on_time_rate_and_breaches_over_the_last_30_and_90_days(history, django_assert_num_queries):
    vendor, punctual, quiet = history["vendor"], history["punctual"], history["quiet"]

    # when staff read the last 30 days (one grouped query for every vendor)
    with django_assert_num_queries(1):
        figures = {figure.vendor: figure for figure in vendor_sla_figures(days=30, today=TODAY)}

    # then: mailed at 23:30 on the due date is on time, at 00:30 the day after is late (Shanghai dates), the open
    # one past its date is late and breached; cancelled, not yet due and due today do not count
    mine = figures[vendor]
    assert (mine.due, mine.on_time, mine.late, mine.breaches) == (3, 1, 2, 1)
    assert mine.on_time_rate == pytest.approx(1 / 3)
    # punctual: 1 mailed early, 1 open past its date (late, not yet swept)
    assert (figures[punctual].due, figures[punctual].on_time, figures[punctual].late) == (2, 1, 1)
    assert figures[punctual].breaches == 0
    # quiet: nothing was due, so no rate at all (not 0 %, not 100 %)
    assert (figures[quiet].due, figures[quiet].on_time_rate) == (0, None)

    # and over 90 days the one due in February counts too
    ninety = vendor_sla_figure(vendor=vendor, days=90, today=TODAY)
    assert (ninety.due, ninety.on_time, ninety.late, ninety.breaches) == (4, 1, 3, 1)


def test_figures_sort_worst_rate_first_and_vendors_without_a_rate_last(history):
    vendor, punctual, quiet = history["vendor"], history["punctual"], history["quiet"]

    def order(**kwargs):
        return [figure.vendor for figure in vendor_sla_figures(days=30, today=TODAY, **kwargs)]

    assert order() == [vendor, punctual, quiet]
    assert order(order_by="-on_time_rate") == [punctual, vendor, quiet]
    assert order(order_by="-breaches")[0] == vendor


def test_a_breach_counts_in_the_window_it_happened(history):
    # ten days after the sweep marked it, a 7-day window no longer counts that breach
    assert vendor_sla_figure(vendor=history["vendor"], days=7, today=TODAY).breaches == 0
    assert vendor_sla_figure(vendor=history["vendor"], days=11, today=TODAY).breaches == 1


def test_overdue_requests_across_vendors_most_overdue_first_with_working_days_late(history):
    # when staff list what is overdue today
    overdue = overdue_invoice_requests_for_staff(today=TODAY)

    # then the open request due on the 20th comes first, 7 working days late (23–27, 30, 31), then punctual's,
    # 2 working days late; the one due today and everything mailed or cancelled is not listed
    rows = list(overdue)
    assert [row.pk for row in rows] == [history["still_open"].pk, history["overdue_two"].pk]
    assert [row.working_days_late for row in rows] == [7, 2]
    assert overdue.count() == 2
    # and filtered on one vendor
    assert [row.pk for row in overdue_invoice_requests_for_staff(today=TODAY, vendor=history["punctual"])] == [
        history["overdue_two"].pk
    ]


def test_the_overdue_list_reads_one_page_at_a_time(history, django_assert_max_num_queries):
    # a paginator counts, then reads only its page's rows (with vendor and account joined)
    paginator = Paginator(overdue_invoice_requests_for_staff(today=TODAY), per_page=1)
    with django_assert_max_num_queries(3):
        page = paginator.page(2)
        rows = list(page.object_list)
        names = [row.vendor.name for row in rows] + [row.customer_account.name for row in rows]
    assert paginator.count == 2
    assert [row.pk for row in rows] == [history["overdue_two"].pk]
    assert rows[0].working_days_late == 2
    assert names[0] == "准时服务商"


# --- The pages' cached figures ----------------------------------------------------------------------------------


def test_the_queue_figures_are_the_counted_ones_cached_until_a_status_changes(history, django_assert_num_queries):
    vendor, punctual = history["vendor"], history["punctual"]
    counts = status_counts_for_vendor(vendor=vendor)

    # the first read counts everything in one query, and equals the uncached selectors
    with django_assert_num_queries(1):
        figures = queue_figures_for_vendor(vendor=vendor, days=30, status_counts=counts, today=TODAY)
    assert figures.sla == vendor_sla_figure(vendor=vendor, days=30, today=TODAY)
    assert figures.deadlines == deadline_counts_for_vendor(vendor=vendor, today=TODAY)
    assert (figures.sla.due, figures.sla.on_time, figures.sla.breaches, figures.deadlines.overdue) == (3, 1, 1, 1)

    # the next one, with nothing changed, comes from the cache
    with django_assert_num_queries(0):
        assert queue_figures_for_vendor(vendor=vendor, days=30, status_counts=counts, today=TODAY) == figures

    # another vendor, even with the very same status counts, gets its own figures
    theirs = queue_figures_for_vendor(vendor=punctual, days=30, status_counts=counts, today=TODAY)
    assert theirs.sla == vendor_sla_figure(vendor=punctual, days=30, today=TODAY)
    assert theirs.deadlines == deadline_counts_for_vendor(vendor=punctual, today=TODAY)
    assert theirs != figures

    # a request changing status changes the key: counted again at once
    mail(history["still_open"])
    counts = status_counts_for_vendor(vendor=vendor)
    with django_assert_num_queries(1):
        after = queue_figures_for_vendor(vendor=vendor, days=30, status_counts=counts, today=TODAY)
    assert after.deadlines.overdue == 0
    assert after.sla == vendor_sla_figure(vendor=vendor, days=30, today=TODAY)
    assert after.deadlines == deadline_counts_for_vendor(vendor=vendor, today=TODAY)

    # and another day, or another window, is another entry
    assert queue_figures_for_vendor(vendor=vendor, days=90, status_counts=counts, today=TODAY).sla.due == 4


@pytest.mark.parametrize("order_by", ["on_time_rate", "-on_time_rate", "-breaches", "late", "vendor"])
def test_the_staff_dashboard_figures_are_the_counted_ones_cached(history, order_by, django_assert_num_queries):
    def as_tuples(figures):
        return [(f.vendor.pk, f.due, f.on_time, f.late, f.breaches, f.on_time_rate) for f in figures]

    counted = as_tuples(vendor_sla_figures(days=30, today=TODAY, order_by=order_by))
    cache.delete(staff_sla_figures_cache_key(days=30, today=TODAY))  # the suite's cache outlives a test

    # one query when counting, one (the vendors) when the counts come from the cache
    with django_assert_num_queries(1):
        assert as_tuples(vendor_sla_figures_for_staff_page(days=30, today=TODAY, order_by=order_by)) == counted
    with django_assert_num_queries(1):
        assert as_tuples(vendor_sla_figures_for_staff_page(days=30, today=TODAY, order_by=order_by)) == counted

    # a vendor added meanwhile is listed at once (counted again), the vendors' names are always fresh
    newcomer = VendorFactory(name="新服务商")
    Vendor.objects.filter(pk=history["punctual"].pk).update(name="准时服务商（改名）")
    figures = vendor_sla_figures_for_staff_page(days=30, today=TODAY, order_by=order_by)
    assert newcomer.pk in {f.vendor.pk for f in figures}
    assert "准时服务商（改名）" in {f.vendor.name for f in figures}
    assert as_tuples(figures) == as_tuples(vendor_sla_figures(days=30, today=TODAY, order_by=order_by))
