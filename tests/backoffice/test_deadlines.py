"""The vendor's queue on the real calendar: at risk and overdue in a banner and tabs, working days left across
National Day, "provisional" mail-by dates, and the vendor's own on-time rate."""

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.invoices.models import InvoiceRequest

from .helpers import mail, row_ids, submit

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
