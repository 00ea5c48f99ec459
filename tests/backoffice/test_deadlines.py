"""The vendor's queue on the real calendar: at risk and overdue in a banner and tabs, working days left across
National Day, "provisional" mail-by dates, and the vendor's own on-time rate."""

import csv
import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.invoices.models import InvoiceRequest

from .helpers import accept, mail, row_ids, submit

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Clock:
    def __init__(self, now: dt.datetime):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    # The queue counts from today: pin it (a page has no `now=` parameter).
    clock = Clock(dt.datetime(2025, 9, 12, 10, 0, tzinfo=SHANGHAI))
    monkeypatch.setattr(timezone, "now", clock)
    return clock


def due_on(request: InvoiceRequest, day: dt.date) -> InvoiceRequest:
    """Put the mail-by date where the test needs it (a plain column; the status is not touched)."""
    InvoiceRequest.objects.filter(pk=request.pk).update(dispatch_due_date=day)
    return InvoiceRequest.objects.get(pk=request.pk)


def queue(browser, **params):
    return browser.get(reverse("backoffice:queue"), params)


@pytest.fixture
def before_national_day(clock, shopper, vendor):
    """Tue 2025-09-30, the last working day before National Day (10-01..10-08 off, Sat 10-11 worked).

    - overdue: due Fri 09-26;
    - at_risk: due Thu 10-09, the first working day after the holiday: 1 working day left (7 on Monday-to-Friday);
    - later: due Mon 10-13: 4 working days left (10-09, 10-10, Sat 10-11, 10-13), not at risk."""
    requests = {name: submit(shopper, vendor, f"{n + 1}0.00") for n, name in enumerate(("overdue", "at_risk", "later"))}
    due_on(requests["overdue"], dt.date(2025, 9, 26))
    due_on(requests["at_risk"], dt.date(2025, 10, 9))
    due_on(requests["later"], dt.date(2025, 10, 13))
    clock.now = dt.datetime(2025, 9, 30, 10, 0, tzinfo=SHANGHAI)
    return requests


def test_the_banner_counts_at_risk_and_overdue_requests_on_the_real_calendar(
    browser_for, vendor_user, before_national_day
):
    html = queue(browser_for(vendor_user)).content.decode()

    assert 'data-testid="deadline-banner"' in html
    assert "1 request is overdue" in html and "1 request is due within 2 working days" in html
    assert 'data-testid="at-risk-count">1<' in html and 'data-testid="overdue-count">1<' in html
    assert 'href="?at_risk=1" data-testid="banner-at-risk"' in html
    assert 'href="?overdue=1" data-testid="banner-overdue"' in html


def test_the_at_risk_tab_lists_only_what_has_2_working_days_or_fewer_left(
    browser_for, vendor_user, before_national_day
):
    browser = browser_for(vendor_user)

    assert row_ids(queue(browser, at_risk=1).content.decode()) == [before_national_day["at_risk"].pk]
    assert row_ids(queue(browser, overdue=1).content.decode()) == [before_national_day["overdue"].pk]


def test_working_days_left_skip_the_holiday_and_count_the_make_up_day(browser_for, vendor_user, before_national_day):
    html = queue(browser_for(vendor_user)).content.decode()

    def days_left(name: str) -> str:
        row = html[html.index(f'id="request-{before_national_day[name].pk}"') :]
        return row[: row.index("</tr>")]

    assert 'data-days="1"' in days_left("at_risk") and "1 working day left" in days_left("at_risk")
    assert 'data-days="4"' in days_left("later")
    assert "Overdue by 3 working days" in days_left("overdue")  # Sun 09-28 (a make-up working day), 09-29, 09-30


def test_no_banner_when_nothing_is_at_risk_or_overdue(browser_for, clock, shopper, vendor, vendor_user):
    submit(shopper, vendor, "10.00")

    html = queue(browser_for(vendor_user)).content.decode()

    assert 'data-testid="deadline-banner"' not in html


def test_a_provisional_mail_by_date_is_marked_in_the_queue_the_detail_and_the_csv(
    browser_for, clock, shopper, vendor, vendor_user
):
    clock.now = dt.datetime(2026, 12, 28, 10, 0, tzinfo=SHANGHAI)  # due in 2027, whose schedule nobody entered
    provisional = submit(shopper, vendor, "10.00")
    clock.now = dt.datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI)
    final = submit(shopper, vendor, "20.00")
    browser = browser_for(vendor_user)

    queue_html = queue(browser).content.decode()
    detail = browser.get(reverse("backoffice:detail", args=[provisional.pk])).content.decode()
    rows = list(csv.reader(io.StringIO(b"".join(browser.get(reverse("backoffice:export")).streaming_content).decode())))

    row = queue_html[queue_html.index(f'id="request-{provisional.pk}"') :]
    assert 'data-testid="provisional"' in row[: row.index("</tr>")]
    row = queue_html[queue_html.index(f'id="request-{final.pk}"') :]
    assert 'data-testid="provisional"' not in row[: row.index("</tr>")]
    assert 'data-testid="provisional"' in detail
    column = rows[0].index("Mail-by date provisional")
    by_number = {line[0]: line for line in rows[1:]}
    assert by_number[fresh_number(provisional)][column] == "Provisional"
    assert by_number[fresh_number(final)][column] == ""


def fresh_number(request: InvoiceRequest) -> str:
    return InvoiceRequest.objects.get(pk=request.pk).number


def test_the_queue_shows_the_vendors_own_on_time_rate_over_30_days(
    browser_for, clock, shopper, vendor, other_vendor, vendor_user, other_vendor_user
):
    # given one request mailed in time and one still open past its mail-by date (both due in the last 30 days)
    mailed = submit(shopper, vendor, "10.00")  # Fri 09-12: due Fri 09-26
    mail(mailed, vendor_user, tracking="SF1000000001", invoice="10000001")
    submit(shopper, vendor, "20.00")  # due 09-26 too, never mailed
    submit(shopper, other_vendor, "30.00")  # another vendor's: not counted
    clock.now = dt.datetime(2025, 10, 9, 10, 0, tzinfo=SHANGHAI)

    html = queue(browser_for(vendor_user)).content.decode()

    assert 'data-testid="sla-figure"' in html
    assert "On time in the last 30 days: <strong>50.0%</strong> (1 of 2 requests mailed by their mail-by dates)" in html


def test_staff_see_no_on_time_rate_of_their_own(browser_for, clock, shopper, vendor, staff_user):
    submit(shopper, vendor, "10.00")

    html = queue(browser_for(staff_user)).content.decode()

    assert 'data-testid="sla-figure"' not in html


# --- the figures are cached, keyed on the vendor's status counts -------------------------------------------------


def _figures(html: str) -> tuple[str, str]:
    """(overdue count in its tab, the on-time sentence) as the page shows them."""
    overdue = re.search(r'data-testid="overdue-count">(\d+)<', html).group(1)
    sla = re.search(r'data-testid="sla-figure">\s*(.*?)\s*</p>', html, re.S).group(1)
    return overdue, " ".join(sla.split())


def test_a_request_mailed_shows_in_the_figures_on_the_next_view(browser_for, clock, shopper, vendor, vendor_user):
    # given two requests due Fri 09-26, both still open on 10-09: the page shows (and caches) 2 overdue, 0 of 2
    first = submit(shopper, vendor, "10.00")
    submit(shopper, vendor, "20.00")
    clock.now = dt.datetime(2025, 10, 9, 10, 0, tzinfo=SHANGHAI)
    browser = browser_for(vendor_user)  # signed in on 10-09 (a session signed in on 09-12 has expired by then)
    assert _figures(queue(browser).content.decode()) == (
        "2",
        "On time in the last 30 days: <strong>0.0%</strong> (0 of 2 requests mailed by their mail-by dates).",
    )

    # when one of them turns out mailed in time (stamped 09-25: the same day's cache entry would still apply)
    clock.now = dt.datetime(2025, 9, 25, 10, 0, tzinfo=SHANGHAI)
    mail(first, vendor_user, tracking="SF1000000001", invoice="10000001")
    clock.now = dt.datetime(2025, 10, 9, 10, 5, tzinfo=SHANGHAI)

    # then the very next view counts it: its status changed, so did the cache key
    assert _figures(queue(browser).content.decode()) == (
        "1",
        "On time in the last 30 days: <strong>50.0%</strong> (1 of 2 requests mailed by their mail-by dates).",
    )


def test_cached_figures_never_cross_vendors(
    browser_for, clock, shopper, vendor, other_vendor, vendor_user, other_vendor_user
):
    # given two vendors with the same status counts (one pending request each) but different figures
    overdue = submit(shopper, vendor, "10.00")
    due_on(overdue, dt.date(2025, 9, 1))
    submit(shopper, other_vendor, "10.00")  # due 09-26: not overdue on 09-12

    # when each vendor opens its queue (the first one's figures are cached by then)
    mine = queue(browser_for(vendor_user)).content.decode()
    theirs = queue(browser_for(other_vendor_user)).content.decode()

    # then each sees its own
    assert _figures(mine)[0] == "1" and 'data-testid="banner-overdue"' in mine
    assert _figures(theirs)[0] == "0" and 'data-testid="banner-overdue"' not in theirs
    assert "1 of 1" not in theirs and "0 of 1" in mine


def test_the_figures_are_counted_when_the_cache_is_down(browser_for, clock, shopper, vendor, vendor_user, settings):
    # given Redis unreachable (the cache degrades: every read misses, every write is dropped)
    overdue = submit(shopper, vendor, "10.00")
    due_on(overdue, dt.date(2025, 9, 1))
    browser = browser_for(vendor_user)
    settings.CACHES = {
        "default": {
            "BACKEND": "apps.core.cache.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }

    # then the page still shows the right figures, counted on every view
    html = queue(browser).content.decode()
    assert _figures(html) == (
        "1",
        "On time in the last 30 days: <strong>0.0%</strong> (0 of 1 request mailed by its mail-by date).",
    )
    accept(overdue, vendor_user)
    mail(overdue, vendor_user, tracking="SF1000000002", invoice="10000002")
    assert _figures(queue(browser).content.decode())[0] == "0"
