"""A new customer's whole journey in a real browser, in the default (Chinese) interface.

Elements are found by ids, names, URLs and data-testid attributes, never by visible text.
"""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from apps.accounts.models import User, Vendor
from apps.addresses.models import MailingAddress
from apps.billing.selectors import invoiceable_row
from apps.invoices.models import InvoiceRequest
from apps.titles.models import InvoiceTitle

pytestmark = pytest.mark.e2e

TITLE_NAME = "深圳新用户科技有限公司"
TITLE_USCC = "9144030071526726XG"
RECIPIENT = "周八"


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", verbosity=0)


def main_form(page):
    """The page's own form (the top bar also holds the language switch and the logout forms)."""
    return page.locator("main form[method='post']")


@pytest.mark.django_db(transaction=True)
def test_customer_applies_for_an_invoice_then_cancels_it(page, live_server, demo):
    url = live_server.url
    vendor = Vendor.objects.get(name="云帆数据服务有限公司")
    account_row = invoiceable_row(customer_account=_account("customer1"), vendor_id=vendor.pk)

    # Log in as customer1: the console opens on the invoiceable amounts.
    page.goto(f"{url}{reverse('console:invoiceable')}")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.fill("input[name=username]", "customer1")
    page.fill("input[name=password]", "demo12345")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{url}{reverse('console:invoiceable')}")

    # Add an invoice title (company, valid USCC) from the menu.
    page.locator(f"nav.sidebar a[href='{reverse('console:titles')}']").click()
    page.locator(f"main a[href='{reverse('console:title_add')}']").first.click()
    page.fill("input[name=name]", TITLE_NAME)
    page.fill("input[name=taxpayer_id]", TITLE_USCC)
    page.fill("input[name=registered_address]", "广东省深圳市南山区科技园 1 号")
    page.fill("input[name=registered_phone]", "0755-88886666")
    page.fill("input[name=bank_name]", "招商银行深圳分行")
    page.fill("input[name=bank_account]", "755900000010101")
    main_form(page).locator("button[type=submit]").click()
    expect(page).to_have_url(f"{url}{reverse('console:titles')}")
    title = InvoiceTitle.objects.get(name=TITLE_NAME)
    assert title.taxpayer_id_verified

    # Add a mailing address.
    page.locator(f"nav.sidebar a[href='{reverse('console:addresses')}']").click()
    page.locator(f"main a[href='{reverse('console:address_add')}']").first.click()
    for name, value in {
        "recipient": RECIPIENT,
        "phone": "13712345678",
        "province": "广东省",
        "city": "深圳市",
        "district": "南山区",
        "postal_code": "518057",
        "street": "科技园南区 2 栋 301",
    }.items():
        page.fill(f"input[name={name}]", value)
    main_form(page).locator("button[type=submit]").click()
    expect(page).to_have_url(f"{url}{reverse('console:addresses')}")
    address = MailingAddress.objects.get(recipient=RECIPIENT)

    # The invoiceable amount explains itself on hover and on keyboard focus, with this customer's numbers.
    page.locator(f"nav.sidebar a[href='{reverse('console:invoiceable')}']").click()
    amount = page.locator(f"#vendor-{vendor.pk} [data-testid=invoiceable-amount]")
    formula = page.locator(f"#formula-{vendor.pk}")
    expect(formula).to_be_hidden()
    amount.hover()
    expect(formula).to_be_visible()
    for number in (account_row.invoiceable, account_row.consumed, account_row.invoiced):
        expect(formula).to_contain_text(f"{number:,.2f}")
    page.mouse.move(0, 0)
    expect(formula).to_be_hidden()
    amount.focus()
    expect(formula).to_be_visible()

    # Apply: amount, the new title and address, then the confirmation page.
    page.locator(f"#apply-{vendor.pk}").click()
    expect(page).to_have_url(f"{url}{reverse('console:apply', args=[vendor.pk])}")
    expect(page.locator("[data-testid=invoiceable-amount]")).to_contain_text(f"{account_row.invoiceable:,.2f}")
    page.fill("#id_amount", "66.66")
    page.check(f"#title-{title.pk}")
    page.check(f"#address-{address.pk}")
    page.click("#apply-next")

    expect(page.locator("[data-testid=confirm-amount]")).to_contain_text("66.66")
    expect(page.locator("[data-testid=title-name]")).to_have_text(TITLE_NAME)
    expect(page.locator("[data-testid=title-details]")).to_contain_text(TITLE_USCC)
    expect(page.locator("[data-testid=address-recipient]")).to_have_text(RECIPIENT)
    expect(page.locator("[data-testid=confirm-shipping]")).to_have_attribute("data-rule", "vendor_pays")
    expect(page.locator("[data-testid=confirm-due-date]")).to_contain_text(re.compile(r"\d{4}-\d{2}-\d{2}"))
    assert not InvoiceRequest.objects.filter(amount="66.66").exists()
    page.click("#submit-application")

    # Submitted: the detail page, pending.
    request = InvoiceRequest.objects.get(amount="66.66", customer_account__users__username="customer1")
    expect(page).to_have_url(f"{url}{reverse('console:record_detail', args=[request.pk])}")
    expect(page.locator("[data-testid=record-summary] [data-testid=status-badge]")).to_have_attribute(
        "data-status", "pending"
    )
    assert request.title_snapshot["name"] == TITLE_NAME

    # It is pending in the records, newest first; open it from there.
    page.locator(f"nav.sidebar a[href='{reverse('console:records')}']").click()
    first_row = page.locator("[data-testid=record-row]").first
    expect(first_row).to_have_attribute("data-record-id", str(request.pk))
    expect(first_row).to_have_attribute("data-status", "pending")
    first_row.locator("[data-testid=record-detail-link]").click()
    expect(page).to_have_url(f"{url}{reverse('console:record_detail', args=[request.pk])}")

    # Cancel it, after confirming.
    page.click("#cancel-link")
    expect(page).to_have_url(f"{url}{reverse('console:record_cancel', args=[request.pk])}")
    assert InvoiceRequest.objects.get(pk=request.pk).status == InvoiceRequest.Status.PENDING
    page.fill("textarea[name=reason]", "金额填错了")
    page.click("#confirm-cancel")

    expect(page).to_have_url(f"{url}{reverse('console:record_detail', args=[request.pk])}")
    expect(page.locator("[data-testid=record-summary] [data-testid=status-badge]")).to_have_attribute(
        "data-status", "cancelled"
    )
    expect(page.locator("[data-testid=timeline-event]")).to_have_count(2)
    assert InvoiceRequest.objects.get(pk=request.pk).status == InvoiceRequest.Status.CANCELLED
    after = invoiceable_row(customer_account=_account("customer1"), vendor_id=vendor.pk)
    assert after.invoiceable == account_row.invoiceable


@pytest.mark.django_db(transaction=True)
def test_customer_applies_again_after_a_rejection_and_follows_a_processing_request(page, live_server, demo):
    url = live_server.url
    account = _account("customer1")
    rejected = InvoiceRequest.objects.get(customer_account=account, status="rejected")
    processing = InvoiceRequest.objects.get(customer_account=account, status="processing")
    log_in(page, url, "customer1", reverse("console:records"))

    # The rejected request says why and offers Apply again, which opens the form prefilled from it.
    page.locator(f"#record-{rejected.pk} [data-testid=record-detail-link]").click()
    expect(page.locator("[data-testid=status-reason]")).to_contain_text(rejected.status_reason)
    page.click("#apply-again")
    expect(page).to_have_url(f"{url}{reverse('console:apply', args=[rejected.vendor_id])}?from={rejected.pk}")
    expect(page.locator("[data-testid=apply-again-from]")).to_contain_text(rejected.status_reason)
    expect(page.locator("#id_amount")).to_have_value(f"{rejected.amount:.2f}")
    expect(page.locator(f"#title-{rejected.title_id}")).to_be_checked()
    expect(page.locator(f"#address-{rejected.address_id}")).to_be_checked()
    page.click("#apply-next")
    expect(page.locator("[data-testid=confirm-amount]")).to_contain_text(f"{rejected.amount:.2f}")
    page.click("#submit-application")
    again = InvoiceRequest.objects.filter(customer_account=account, status="pending").order_by("-pk").first()
    expect(page).to_have_url(f"{url}{reverse('console:record_detail', args=[again.pk])}")
    assert (again.vendor_id, again.amount, again.title_id) == (rejected.vendor_id, rejected.amount, rejected.title_id)

    # A processing request leads with its progress; the cancel explanation opens only when asked for.
    page.goto(f"{url}{reverse('console:record_detail', args=[processing.pk])}")
    expect(page.locator("[data-testid=progress-step][aria-current=step]")).to_have_attribute(
        "data-status", "processing"
    )
    explanation = page.locator("[data-testid=cannot-cancel]")
    expect(explanation).to_be_hidden()
    page.locator("[data-testid=cancel-help] summary").click()
    expect(explanation).to_be_visible()
    expect(explanation).to_contain_text(processing.vendor.contact_phone)


PHONE = {"width": 390, "height": 844}


@pytest.mark.django_db(transaction=True)
def test_the_console_fits_a_phone(browser, live_server, demo):
    url = live_server.url
    context = browser.new_context(viewport=PHONE, locale="zh-CN", has_touch=True, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    account = _account("customer1")
    vendor = Vendor.objects.get(name="云帆数据服务有限公司")
    try:
        log_in(page, url, "customer1", reverse("console:invoiceable"))

        # The top bar is one short row: language and logout wait behind the toggle.
        logout = page.locator("form.logout-form button[type=submit]")
        expect(logout).to_be_hidden()
        assert page.locator("header.topbar").bounding_box()["height"] <= 60
        page.click("[data-testid=topbar-toggle]")
        expect(logout).to_be_visible()
        expect(page.locator("form.lang-switch")).to_be_visible()
        page.click("[data-testid=topbar-toggle]")
        expect(logout).to_be_hidden()

        # Each vendor is a card with its amount and Apply in view; a tap on the amount shows the formula.
        apply_link = page.locator(f"#apply-{vendor.pk}")
        expect(apply_link).to_be_in_viewport()
        name = page.locator(f"#vendor-{vendor.pk} .vendor-name")
        assert name.bounding_box()["width"] > 200  # a vendor name never breaks one character per line
        formula = page.locator(f"#formula-{vendor.pk}")
        expect(formula).to_be_hidden()
        page.locator(f"#vendor-{vendor.pk} [data-testid=invoiceable-amount]").tap()
        expect(formula).to_be_visible()
        box = formula.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]

        # No console page scrolls sideways.
        requests = InvoiceRequest.objects.filter(customer_account=account)
        urls = [
            reverse("console:invoiceable"),
            reverse("console:apply", args=[vendor.pk]),
            reverse("console:records"),
            reverse("console:titles"),
            reverse("console:addresses"),
            reverse("console:title_add"),
            reverse("console:address_add"),
            *(reverse("console:record_detail", args=[request.pk]) for request in requests),
            *(reverse("console:record_cancel", args=[request.pk]) for request in requests),
        ]
        for path in urls:
            page.goto(f"{url}{path}")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"{path} is {width} px wide"

        # The records are cards too, with status and actions visible.
        page.goto(f"{url}{reverse('console:records')}")
        first = page.locator("[data-testid=record-row]").first
        expect(first.locator("[data-testid=status-badge]")).to_be_visible()
        expect(first.locator("[data-testid=record-detail-link]")).to_be_visible()
    finally:
        context.close()


def log_in(page, url: str, username: str, next_path: str) -> None:
    page.goto(f"{url}{next_path}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "demo12345")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{url}{next_path}")


def _account(username: str):
    return User.objects.get(username=username).customer_account
