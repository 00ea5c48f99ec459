"""The vendor's journey in a real browser, in the default (Chinese) interface, then the customer's view of it.

vendor1 logs in, opens a pending request from the queue, accepts it, marks it mailed; customer1 then sees it
mailing with the tracking number. Elements are found by ids, names, URLs and data-testid attributes, never by
visible text.
"""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from apps.accounts.models import Vendor
from apps.invoices.models import InvoiceRequest, IssuedInvoice

pytestmark = pytest.mark.e2e

INVOICE_NUMBER = "04452026880001"
TRACKING_NUMBER = "SF1588888888"


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", verbosity=0)


def log_in(page, url: str, username: str) -> None:
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "demo12345")
    page.locator("main form button[type=submit]").click()


@pytest.mark.django_db(transaction=True)
def test_vendor_accepts_and_mails_a_request_and_the_customer_sees_the_tracking_number(page, live_server, demo):
    url = live_server.url
    vendor = Vendor.objects.get(name="云帆数据服务有限公司")
    request = InvoiceRequest.objects.get(vendor=vendor, status="pending", amount="500.00")
    detail_url = f"{url}{reverse('backoffice:detail', args=[request.pk])}"

    # vendor1 logs in and lands on the queue, where the request is pending, with the count on its tab
    page.goto(f"{url}/")
    log_in(page, url, "vendor1")
    expect(page).to_have_url(f"{url}{reverse('backoffice:queue')}")
    row = page.locator(f"#request-{request.pk}")
    expect(row).to_have_attribute("data-status", "pending")
    expect(page.locator("[data-testid=status-tab][data-status=pending] [data-testid=status-count]")).to_have_text("2")

    # opens it: the title and address to print are there
    row.locator("[data-testid=request-link]").click()
    expect(page).to_have_url(detail_url)
    expect(page.locator("[data-testid=title-name]")).to_have_text(request.title_snapshot["name"])
    expect(page.locator("[data-testid=address-recipient]")).to_have_text(request.address_snapshot["recipient"])

    # accepts it
    page.click("#accept-button")
    expect(page).to_have_url(detail_url)
    summary_badge = page.locator("[data-testid=request-summary] [data-testid=status-badge]")
    expect(summary_badge).to_have_attribute("data-status", "processing")

    # marks it mailed: invoice number, courier, tracking number, vendor pays (≥ ¥50.00: cash on delivery is off)
    page.click("#mail-link")
    expect(page).to_have_url(f"{url}{reverse('backoffice:mail', args=[request.pk])}")
    expect(page.locator("input[name=shipping_payer][value=recipient]")).to_be_disabled()
    expect(page.locator("input[name=invoice_date]")).to_have_value(re.compile(r"\d{4}-\d{2}-\d{2}"))
    # the courier's name is asked for only with "other courier"
    expect(page.locator("#field-courier_name")).to_be_hidden()
    page.select_option("select[name=courier]", "other")
    expect(page.locator("#field-courier_name")).to_be_visible()
    page.select_option("select[name=courier]", "sf")
    expect(page.locator("#field-courier_name")).to_be_hidden()
    page.fill("textarea[name=invoice_numbers]", INVOICE_NUMBER)
    page.fill("input[name=tracking_number]", TRACKING_NUMBER)
    page.check("input[name=shipping_payer][value=vendor]")
    page.click("#mail-submit")

    # the request is mailing, with the parcel on the detail page
    expect(page).to_have_url(detail_url)
    expect(summary_badge).to_have_attribute("data-status", "mailing")
    expect(page.locator("[data-testid=tracking-number]")).to_have_text(TRACKING_NUMBER)
    stored = InvoiceRequest.objects.get(pk=request.pk)
    assert (stored.status, stored.courier, stored.tracking_number, stored.shipping_payer) == (
        "mailing",
        "sf",
        TRACKING_NUMBER,
        "vendor",
    )
    assert list(IssuedInvoice.objects.filter(request=request).values_list("number", flat=True)) == [INVOICE_NUMBER]

    # vendor1 logs out; customer1 logs in and opens the request from the records
    page.locator("form.logout-form button[type=submit]").click()
    page.goto(f"{url}{reverse('console:records')}")
    log_in(page, url, "customer1")
    expect(page).to_have_url(f"{url}{reverse('console:records')}")
    record_row = page.locator(f"#record-{request.pk}")
    expect(record_row).to_have_attribute("data-status", "mailing")
    record_row.locator("[data-testid=record-detail-link]").click()
    expect(page).to_have_url(f"{url}{reverse('console:record_detail', args=[request.pk])}")
    expect(page.locator("[data-testid=record-summary] [data-testid=status-badge]")).to_have_attribute(
        "data-status", "mailing"
    )
    expect(page.locator("[data-testid=tracking-number]")).to_have_text(TRACKING_NUMBER)
    expect(page.locator("[data-testid=invoice-numbers]")).to_have_text(INVOICE_NUMBER)
    expect(page.locator("[data-testid=shipping-payer]")).to_have_attribute("data-payer", "vendor")


@pytest.mark.django_db(transaction=True)
def test_the_queue_opens_on_open_work_and_its_filters_fold_on_a_phone(page, live_server, demo):
    url = live_server.url
    vendor = Vendor.objects.get(name="云帆数据服务有限公司")
    page.goto(f"{url}{reverse('backoffice:queue')}")
    log_in(page, url, "vendor1")

    # the default tab is the work still owed: pending and processing only, closed requests under 全部
    expect(page.locator("[data-testid=status-tab][data-status=open]")).to_have_attribute("aria-current", "page")
    statuses = set(page.locator("[data-testid=queue-row]").evaluate_all("rows => rows.map(r => r.dataset.status)"))
    assert statuses == {"pending", "processing"}
    open_count = InvoiceRequest.objects.filter(vendor=vendor, status__in=["pending", "processing"]).count()
    expect(page.locator("[data-testid=queue-row]")).to_have_count(open_count)

    # on a wide screen every filter is in view, and the toggle is not
    status_filter = page.locator("#queue-filter select[name=status]")
    expect(status_filter).to_be_visible()
    expect(page.locator("details.filter-more > summary")).to_be_hidden()

    # on a phone the search stays, the other filters fold behind 筛选, which opens them without script
    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.locator("#queue-filter input[name=q]")).to_be_visible()
    expect(status_filter).to_be_hidden()
    page.click("details.filter-more > summary")
    expect(status_filter).to_be_visible()
    # and each queue row is a card no wider than the phone, its amount and status in it
    first_row = page.locator("[data-testid=queue-row]").first
    box = first_row.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    expect(first_row.locator("[data-testid=row-amount]")).to_be_visible()
    expect(first_row.locator("[data-testid=status-badge]")).to_be_visible()
