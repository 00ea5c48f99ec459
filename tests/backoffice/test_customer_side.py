"""What the customer sees of the vendor's work: accepted, rejected with the reason, mailed with the parcel."""

import pytest
from django.urls import reverse

from apps.invoices.services import invoice_request_reject

from .helpers import accept, mail, submit

pytestmark = pytest.mark.django_db


def test_the_customer_sees_the_rejection_reason_prominently(browser_for, shopper, vendor, vendor_user):
    request = submit(shopper, vendor, "100.00")
    invoice_request_reject(
        actor=vendor_user, vendor=vendor, invoice_request_id=request.pk, reason="开户银行与账号不一致"
    )
    browser = browser_for(shopper)

    detail = browser.get(reverse("console:record_detail", args=[request.pk])).content.decode()
    notice = detail.split('data-testid="status-reason"')[1].split("</div>")[0]
    assert "The vendor rejected this request. Reason:" in notice and "开户银行与账号不一致" in notice
    assert "notice-error" in detail.split('data-testid="status-reason"')[0][-60:]

    records = browser.get(reverse("console:records")).content.decode()
    assert 'data-testid="record-reason"' in records and "开户银行与账号不一致" in records


def test_the_customer_sees_that_the_vendor_accepted(browser_for, shopper, vendor, vendor_user):
    request = accept(submit(shopper, vendor, "100.00"), vendor_user)
    detail = browser_for(shopper).get(reverse("console:record_detail", args=[request.pk])).content.decode()
    assert 'data-testid="vendor-accepted"' in detail
    assert f"{vendor.name} accepted this request" in detail
    assert request.dispatch_due_date.isoformat() in detail


def test_the_customer_sees_the_invoice_and_the_parcel_once_mailed(browser_for, shopper, vendor, vendor_user):
    request = mail(
        submit(shopper, vendor, "30.00"), vendor_user, tracking="SF7000000001", invoice="04457001", payer="recipient"
    )
    browser = browser_for(shopper)

    detail = browser.get(reverse("console:record_detail", args=[request.pk])).content.decode()
    mailing = detail.split('data-testid="mailing-details"')[1].split("</dl>")[0]
    assert "04457001" in mailing
    assert "SF Express" in mailing
    assert "SF7000000001" in mailing
    assert "Shipping paid by" in mailing and 'data-payer="recipient">Cash on delivery<' in mailing
    assert request.invoice_date.isoformat() in mailing
    assert 'data-status="mailing"' in detail

    records = browser.get(reverse("console:records")).content.decode()
    assert "SF7000000001" in records.split('data-testid="record-tracking"')[1].split("</div>")[0]
