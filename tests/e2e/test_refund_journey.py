"""The 退票 path in a real browser, in the default (Chinese) interface, each person in their own browser:

customer1 asks vendor1 for a refund large enough to leave the account owing an invoice; vendor1 approves it; the
withdrawal page is blocked and says why; customer1 asks to return the mailed ¥88.00 invoice; vendor1 agrees (not at
fault: the customer pays postage) and, once customer1 has entered the parcel's tracking number, confirms receipt;
customer1 files the prefilled "void it" ticket with a photo; staff1 takes the ticket and voids the invoice; the debt
is gone and customer1 withdraws the refund to the bank account of their company title.

Elements are found by ids, names, URLs and data-testid attributes, never by visible text.
"""

import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from apps.accounts.models import Vendor
from apps.invoices.models import InvoiceRequest
from apps.refunds.models import InvoiceReturn, Refund, SupportTicket, Withdrawal

pytestmark = pytest.mark.e2e

# customer1 consumed ¥5,050.50 with vendor1 and applied for ¥783.00 (seed_demo). A ¥4,300.00 refund leaves
# ¥750.50 consumed: ¥32.50 of invoices too many. Voiding the mailed ¥88.00 invoice settles it.
REFUND = "4300.00"
RETURN_TRACKING = "SF2026120200"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", verbosity=0)


@pytest.fixture
def settings_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def logged_in(browser, url: str, username: str):
    """A browser of its own for each person (a Chinese user's: zh-Hans), logged in from the home page."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    return log_in(page, url, username)


def log_in(page, url: str, username: str):
    page.goto(f"{url}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "demo12345")
    page.locator("main form button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    return page


def menu(page, url_name: str, *args) -> None:
    page.locator(f"nav.sidebar a[href='{reverse(url_name, args=args)}']").first.click()


@pytest.mark.django_db(transaction=True)
def test_refund_return_ticket_void_and_withdraw(page, browser, live_server, demo, settings_media, tmp_path):
    url = live_server.url
    vendor = Vendor.objects.get(name="云帆数据服务有限公司")
    mailed = InvoiceRequest.objects.get(vendor=vendor, status="mailing", amount="88.00")
    photo = tmp_path / "returned-invoice.png"
    photo.write_bytes(PNG)

    # customer1 asks vendor1 for a refund, from the Refunds menu
    customer = log_in(page, url, "customer1")  # the test's own page: a screenshot is kept if the test fails
    menu(customer, "console:refunds")
    form = customer.locator("[data-testid=refund-form]")
    form.locator("select[name=vendor]").select_option(str(vendor.pk))
    form.locator("input[name=amount]").fill(REFUND)
    form.locator("textarea[name=reason], input[name=reason]").first.fill("套餐退订，退还未使用的费用")
    form.locator("button[type=submit]").click()
    refund = Refund.objects.get(customer_account__users__username="customer1", vendor=vendor)
    expect(customer.locator("[data-testid=refund-row]").first).to_have_attribute("data-status", "requested")

    # vendor1 finds it under Refund requests and approves it
    vendor_page = logged_in(browser, url, "vendor1")
    vendor_page.click("[data-testid=menu-refunds]")
    vendor_page.locator(f"[data-testid=refund-row][data-refund-id='{refund.pk}'] [data-testid=refund-open]").click()
    expect(vendor_page).to_have_url(f"{url}{reverse('backoffice:refund_detail', args=[refund.pk])}")
    vendor_page.click("[data-testid=confirm-approve]")
    expect(vendor_page).to_have_url(f"{url}{reverse('backoffice:refund_detail', args=[refund.pk])}")
    refund.refresh_from_db()
    assert refund.status == "approved"

    # customer1 may not withdraw yet: the page says the account owes invoices and lists the invoices to settle
    menu(customer, "console:withdrawals")
    expect(customer.locator("[data-testid=withdrawal-blocked]")).to_be_visible()
    expect(customer.locator("[data-testid=invoice-debt-notice] [data-testid=blocking-invoice]").first).to_be_visible()
    expect(customer.locator("[data-testid=withdrawal-form]")).to_have_count(0)

    # customer1 opens the mailed ¥88.00 invoice from the records and asks to return it, for the refund
    menu(customer, "console:records")
    customer.locator(f"#record-{mailed.pk} [data-testid=record-detail-link]").click()
    expect(customer).to_have_url(f"{url}{reverse('console:record_detail', args=[mailed.pk])}")
    customer.click("#return-link")
    expect(customer).to_have_url(re.compile(re.escape(reverse("console:return_request", args=[mailed.pk]))))
    return_form = customer.locator("[data-testid=return-form]")
    return_form.locator("input[name=purpose][value=refund]").check()
    return_form.locator("textarea[name=reason]").fill("已退款，发票寄回作废")
    return_form.locator("button[type=submit]").click()
    invoice_return = InvoiceReturn.objects.get(invoice_request=mailed)
    return_url = f"{url}{reverse('console:return_detail', args=[invoice_return.pk])}"
    expect(customer).to_have_url(return_url)
    expect(customer.locator("[data-testid=return-status]")).to_have_attribute("data-status", "requested")
    expect(customer.locator("[data-testid=postage]").first).to_have_attribute("data-payer", "undecided")

    # vendor1 agrees under Invoice returns: not its fault, so the customer pays the postage
    vendor_page.click("[data-testid=menu-returns]")
    vendor_page.locator(
        f"[data-testid=return-row][data-return-id='{invoice_return.pk}'] [data-testid=return-open]"
    ).first.click()
    vendor_return_url = f"{url}{reverse('backoffice:return_detail', args=[invoice_return.pk])}"
    expect(vendor_page).to_have_url(vendor_return_url)
    vendor_page.locator("#agree-form input[name=fault][value='']").check()
    vendor_page.click("[data-testid=confirm-agree]")
    expect(vendor_page).to_have_url(vendor_return_url)

    # customer1 sees who pays the postage and enters the parcel's courier and tracking number
    customer.goto(return_url)
    expect(customer.locator("[data-testid=return-status]")).to_have_attribute("data-status", "agreed")
    expect(customer.locator("[data-testid=postage]").first).to_have_attribute("data-payer", "customer")
    ship_form = customer.locator("[data-testid=ship-form]")
    ship_form.locator("select[name=courier]").select_option("sf")
    ship_form.locator("input[name=tracking_number]").fill(RETURN_TRACKING)
    ship_form.locator("button[type=submit]").click()
    expect(customer.locator("[data-testid=return-status]")).to_have_attribute("data-status", "shipped")

    # vendor1 confirms the invoice arrived
    vendor_page.reload()
    expect(vendor_page.locator("[data-testid=return-tracking]")).to_contain_text(RETURN_TRACKING)
    vendor_page.click("[data-testid=confirm-receive]")
    expect(vendor_page).to_have_url(vendor_return_url)
    invoice_return.refresh_from_db()
    assert invoice_return.status == "received"

    # customer1 asks staff to void it: the ticket comes prefilled with the request and the return's tracking
    customer.goto(return_url)
    customer.click("#ask-void")
    ticket_form = customer.locator("[data-testid=ticket-form]")
    expect(ticket_form.locator("input[name=subject]")).not_to_have_value("")
    expect(ticket_form.locator("textarea[name=body]")).to_have_value(re.compile(RETURN_TRACKING))
    ticket_form.locator("input[name=files]").set_input_files(str(photo))
    ticket_form.locator("button[type=submit]").click()
    ticket = SupportTicket.objects.get(invoice_request=mailed)
    expect(customer).to_have_url(f"{url}{reverse('console:ticket_detail', args=[ticket.pk])}")
    expect(customer.locator("[data-testid=ticket-status]")).to_have_attribute("data-status", "open")
    expect(customer.locator("[data-testid=attachment-link]")).to_have_count(1)

    # staff1 takes the ticket from the queue and voids the invoice, with a reason, after the confirmation page
    staff = logged_in(browser, url, "staff1")
    staff.click("[data-testid=staff-menu-tickets]")
    row = staff.locator(f"[data-testid=ticket-row][data-ticket-id='{ticket.pk}']")
    row.locator("[data-testid=assign-to-me]").click()
    staff.locator(f"[data-testid=ticket-row][data-ticket-id='{ticket.pk}'] [data-testid=open-ticket]").click()
    ticket_url = f"{url}{reverse('staffconsole:ticket_detail', args=[ticket.pk])}"
    expect(staff).to_have_url(ticket_url)
    expect(staff.locator("[data-testid=attachment]")).to_have_count(1)
    staff.click("[data-testid=void-link]")
    expect(staff).to_have_url(f"{url}{reverse('staffconsole:ticket_void', args=[ticket.pk])}")
    staff.locator("[data-testid=void-form] textarea[name=reason]").fill("发票已退回，因退款作废")
    staff.click("[data-testid=confirm-void]")
    expect(staff).to_have_url(ticket_url)
    expect(staff.locator("[data-testid=already-voided]")).to_be_visible()
    assert InvoiceRequest.objects.get(pk=mailed.pk).status == "voided"
    ticket.refresh_from_db()
    assert ticket.status == "resolved"

    # the debt is gone: customer1 withdraws the refund to the bank account of the company title
    menu(customer, "console:withdrawals")
    expect(customer.locator("[data-testid=withdrawal-blocked]")).to_have_count(0)
    expect(customer.locator("[data-testid=withdrawable]")).to_contain_text("4,300.00")
    withdrawal_form = customer.locator("[data-testid=withdrawal-form]")
    withdrawal_form.locator("input[name=amount]").fill(REFUND)
    title = customer.locator("select[name=title] option").nth(1).get_attribute("value")
    withdrawal_form.locator("select[name=title]").select_option(title)
    withdrawal_form.locator("button[type=submit]").click()
    withdrawal = Withdrawal.objects.get(customer_account__users__username="customer1")
    expect(customer.locator(f"#withdrawal-{withdrawal.pk}")).to_have_attribute("data-status", "requested")
    assert (withdrawal.amount, withdrawal.bank_account) == (Decimal(REFUND), "571900000010101")

    # the request's timeline shows the return and void steps in order, for the customer
    customer.goto(f"{url}{reverse('console:record_detail', args=[mailed.pk])}")
    expect(customer.locator("[data-testid=status-badge]").first).to_have_attribute("data-status", "voided")
    for other in (vendor_page, staff):
        other.context.close()
