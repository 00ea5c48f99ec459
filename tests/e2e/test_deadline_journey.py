"""Issue 7 in a real browser, as new users would: staff1 enters 2027's holidays and sees a provisional mail-by date
become final; customer1 sees an overdue request's notice, and the bell.

The clock is pinned (the live server runs in this process, so `timezone.now` is the same for it): the demo data is
seeded on Fri 2026-11-20 (mail-by dates early December) and the test runs on Mon 2026-12-28, when those requests
are overdue and a new request is due on 2027-01-12, a year neither the calendar package nor staff cover yet.

The background work runs synchronously in the test, the same code a worker runs: the SLA sweep (`sla_sweep`,
which Celery beat would start) and, after staff save the overrides, `due_dates_recompute_task` itself, called
in-process. Nothing else would run them: no Celery worker runs during the browser tests (CELERY_TASK_ALWAYS_EAGER
is not used; the message the page queued stays in this run's own queue, deleted at the end). The real worker is
covered by the Celery integration tests.
Elements are found by ids, names, URLs and data-testid attributes, never by visible text.
"""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from apps.accounts.models import User, Vendor
from apps.invoices.models import InvoiceRequest
from apps.invoices.sla import sla_sweep
from apps.invoices.tasks import due_dates_recompute_task
from tests.helpers import submit

pytestmark = pytest.mark.e2e

SHANGHAI = ZoneInfo("Asia/Shanghai")
SEEDED_AT = dt.datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)
TODAY = dt.datetime(2026, 12, 28, 10, 0, tzinfo=SHANGHAI)


class Clock:
    def __init__(self, now: dt.datetime):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock(SEEDED_AT)
    monkeypatch.setattr(timezone, "now", clock)
    return clock


@pytest.fixture
def late_and_provisional(transactional_db, clock):
    """The demo data, four weeks on: customer1's processing request is overdue (the sweep marked it), and a
    request customer1 applies for today is due 2027-01-12, provisionally."""
    call_command("seed_demo", verbosity=0)
    clock.now = TODAY
    vendor = Vendor.objects.get(name="云帆数据服务有限公司")
    late = InvoiceRequest.objects.get(vendor=vendor, status="processing")
    assert sla_sweep(now=clock.now).breached >= 1
    customer1 = User.objects.get(username="customer1")
    other_vendor = Vendor.objects.get(name="北辰安全科技有限公司")
    provisional = submit(customer1, other_vendor, "10.00")
    provisional = InvoiceRequest.objects.get(pk=provisional.pk)
    assert (provisional.dispatch_due_date, provisional.dispatch_due_date_provisional) == (dt.date(2027, 1, 12), True)
    return late, provisional


def log_in(page, username: str) -> None:
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "demo12345")
    page.locator("main form button[type=submit]").click()


@pytest.mark.django_db(transaction=True)
def test_staff_enter_2027_and_a_provisional_mail_by_date_becomes_final(page, live_server, late_and_provisional):
    url = live_server.url
    _late, provisional = late_and_provisional
    detail_url = f"{url}{reverse('backoffice:detail', args=[provisional.pk])}"

    # staff1 logs in and lands on the staff console
    page.goto(f"{url}/")
    log_in(page, "staff1")
    expect(page).to_have_url(f"{url}{reverse('staffconsole:overdue')}")

    # the request's mail-by date is provisional (read-only back-office detail)
    page.goto(detail_url)
    expect(page.locator("[data-testid=mail-by] [data-testid=provisional]")).to_be_visible()

    # 2027 is provisional on the calendar page; staff1 adds New Year's Day 2027 (a range of three days)
    page.goto(f"{url}{reverse('staffconsole:calendar')}?year=2027")
    expect(page.locator("[data-testid=year-source]")).to_have_attribute("data-provisional", "true")
    form = page.locator("[data-testid=override-form]")
    form.locator("input[name=date]").fill("2027-01-01")
    form.locator("input[name=end_date]").fill("2027-01-03")
    form.locator("input[name=kind][value=holiday]").check()
    form.locator("input[name=note]").fill("元旦")
    form.locator("[data-testid=override-save]").click()
    expect(page.locator("[data-testid=override-row]")).to_have_count(3)
    expect(page.locator("[data-testid=year-source]")).not_to_have_attribute("data-provisional", "true")

    # the recompute the page queued (run here, in-process, as a worker would run it)
    assert due_dates_recompute_task(2027) >= 1

    # the mail-by date is final now, and the change is on the request's timeline
    page.goto(detail_url)
    expect(page.locator("[data-testid=mail-by]")).to_contain_text("2027-01-12")
    expect(page.locator("[data-testid=mail-by] [data-testid=provisional]")).to_have_count(0)
    expect(page.locator("[data-testid=timeline-event][data-kind=due_date_changed]")).to_have_count(1)


@pytest.mark.django_db(transaction=True)
def test_the_customer_sees_the_overdue_notice_and_the_bell(page, live_server, late_and_provisional):
    url = live_server.url
    late, provisional = late_and_provisional

    # customer1 logs in: the bell has unread notifications
    page.goto(f"{url}/")
    log_in(page, "customer1")
    expect(page.locator("[data-testid=bell-count]")).to_be_visible()

    # the records list marks the overdue request, with how late the vendor is; the new one is provisional
    page.goto(f"{url}{reverse('console:records')}")
    late_row = page.locator(f"#record-{late.pk}")
    expect(late_row).to_have_attribute("data-overdue", "true")
    expect(late_row.locator("[data-testid=overdue-line]")).to_be_visible()
    expect(page.locator(f"#record-{provisional.pk} [data-testid=provisional]")).to_be_visible()

    # the detail says so plainly, with the vendor's phone, and that staff were told
    late_row.locator("[data-testid=record-detail-link]").click()
    expect(page).to_have_url(f"{url}{reverse('console:record_detail', args=[late.pk])}")
    notice = page.locator("[data-testid=overdue]")
    expect(notice.locator("[data-testid=overdue-days]")).to_be_visible()
    expect(notice.locator("[data-testid=overdue-phone]")).to_have_attribute("href", re.compile(r"^tel:"))
    expect(notice.locator("[data-testid=staff-told]")).to_be_visible()

    # the bell lists the breach; opening it leads back to the request and marks it read
    page.locator("[data-testid=bell]").click()
    expect(page).to_have_url(f"{url}{reverse('notifications:list')}")
    breach = page.locator("[data-testid=notification][data-kind=breached]").first
    expect(breach).to_have_attribute("data-unread", "true")
    breach.locator("a").first.click()
    expect(page).to_have_url(re.compile(rf"{reverse('console:record_detail', args=[late.pk])}$"))
