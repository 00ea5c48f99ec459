"""What a customer sees of the mail-by date: working days left on the real calendar, "provisional" while next
year's holidays are unknown, and, once the vendor is late, how late, whom to contact and that staff were told."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.invoices.sla import sla_sweep
from tests.helpers import fresh, reach_status, submit
from tests.helpers import page_client as client_for

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Clock:
    def __init__(self, now: dt.datetime):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    # Pages count from today: pin it (services get `now=` passed in; a page has no such parameter).
    clock = Clock(dt.datetime(2025, 9, 12, 10, 0, tzinfo=SHANGHAI))
    monkeypatch.setattr(timezone, "now", clock)
    return clock


@pytest.fixture
def late_request(clock, consumed, vendor):
    """Submitted Fri 2025-09-12, due Fri 2025-09-26, accepted, still not mailed on Thu 2025-10-09: 4 working days
    late on the real calendar (Sun 09-28 worked, 10-01..10-08 off), 9 if it only counted Monday to Friday."""
    request = reach_status(submit(consumed, vendor, "300.00"), "processing")
    assert fresh(request).dispatch_due_date == dt.date(2025, 9, 26)
    clock.now = dt.datetime(2025, 10, 9, 10, 0, tzinfo=SHANGHAI)
    return request


def test_an_overdue_request_says_how_late_the_vendor_is_and_whom_to_contact(late_request, consumed, vendor):
    html = client_for(consumed).get(reverse("console:record_detail", args=[late_request.pk])).content.decode()

    assert 'data-testid="overdue"' in html
    assert "The vendor is 4 working days late" in html
    assert "had to mail this invoice by 2025-09-26. Contact the vendor" in html
    assert f'href="tel:{vendor.contact_phone}" data-testid="overdue-phone"' in html
    # staff are only said to know once the SLA sweep told them
    assert 'data-testid="staff-told"' not in html


def test_once_the_sweep_found_it_overdue_the_customer_reads_that_staff_were_told(late_request, consumed, clock):
    assert sla_sweep(now=clock.now).breached == 1

    html = client_for(consumed).get(reverse("console:record_detail", args=[late_request.pk])).content.decode()

    assert "The vendor is 4 working days late" in html
    assert 'data-testid="staff-told"' in html and "Marketplace staff have been told" in html


def test_the_records_list_marks_the_overdue_request_and_shows_days_left_on_the_others(
    late_request, consumed, vendor, clock
):
    on_time = submit(consumed, vendor, "10.00")  # Thu 10-09: due Wed 10-22 (Sat 10-11 is a make-up working day)

    html = client_for(consumed).get(reverse("console:records")).content.decode()

    late_row = html[html.index(f'id="record-{late_request.pk}"') :]
    late_row = late_row[: late_row.index("</tr>")]
    assert 'data-overdue="true"' in late_row and "The vendor is 4 working days late" in late_row
    on_time_row = html[html.index(f'id="record-{on_time.pk}"') :]
    on_time_row = on_time_row[: on_time_row.index("</tr>")]
    assert "2025-10-22" in on_time_row and "10 working days left" in on_time_row
    assert "data-overdue" not in on_time_row


def test_a_due_date_in_a_year_without_official_holidays_is_marked_provisional(clock, consumed, vendor):
    # Mon 2026-12-28: 2027's schedule is not in the package and staff entered none yet
    clock.now = dt.datetime(2026, 12, 28, 10, 0, tzinfo=SHANGHAI)
    request = submit(consumed, vendor, "10.00")
    client = client_for(consumed)

    detail = client.get(reverse("console:record_detail", args=[request.pk])).content.decode()
    records = client.get(reverse("console:records")).content.decode()

    # New Year's Day (statutory, from the fallback) is skipped: due Tue 2027-01-12
    assert "The vendor must mail it by 2027-01-12 (10 working days)." in detail
    assert 'data-testid="provisional"' in detail and 'data-testid="provisional-help"' in detail
    assert 'data-testid="provisional"' in records and "10 working days left" in records


def test_the_confirmation_page_says_why_a_provisional_date_may_move(clock, consumed, vendor):
    # The tag alone is a tooltip a phone cannot show: the confirmation page says what "provisional" means.
    clock.now = dt.datetime(2026, 12, 28, 10, 0, tzinfo=SHANGHAI)
    account = consumed.customer_account
    data = {
        "amount": "10.00",
        "invoice_type": "general",
        "title": account.titles.get(is_default=True).pk,
        "address": account.addresses.get(is_default=True).pk,
    }

    html = client_for(consumed).post(reverse("console:apply", args=[vendor.pk]), data).content.decode()

    assert "The vendor must mail it by 2027-01-12 (10 working days)." in html
    assert 'data-testid="provisional"' in html and 'data-testid="provisional-help"' in html


def test_a_final_due_date_is_not_marked_provisional(clock, consumed, vendor):
    request = submit(consumed, vendor, "10.00")

    html = client_for(consumed).get(reverse("console:record_detail", args=[request.pk])).content.decode()

    assert "The vendor must mail it by 2025-09-26 (10 working days)." in html
    assert 'data-testid="provisional"' not in html and "10 working days left" in html


def test_a_mailed_request_shows_neither_days_left_nor_a_late_notice(late_request, consumed):
    reach_status(late_request, "mailing")

    html = client_for(consumed).get(reverse("console:record_detail", args=[late_request.pk])).content.decode()

    assert 'data-testid="overdue"' not in html and 'data-testid="days-left"' not in html
