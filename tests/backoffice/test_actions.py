"""Detail, accept, reject and mark mailed: happy paths, the service's messages, and nothing changed on errors."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.billing.selectors import invoiceable_row
from apps.core.workdays import calendar_date
from apps.invoices.models import InvoiceEvent, InvoiceRequest, IssuedInvoice
from apps.invoices.services import invoice_request_cancel

from .helpers import accept, fresh, mail, messages_of, submit

pytestmark = pytest.mark.django_db


def mail_data(**overrides) -> dict:
    data = {
        "invoice_numbers": "04452026000123",
        "invoice_date": calendar_date(timezone.now()).isoformat(),
        "courier": "sf",
        "courier_name": "",
        "tracking_number": "SF1234567890",
        "shipping_payer": "vendor",
    }
    data.update(overrides)
    return data


# ---------- detail ----------


def test_detail_shows_everything_to_print_and_post_the_invoice(browser_for, shopper, vendor, vendor_user):
    # given a pending request
    request = submit(shopper, vendor, "88.00")
    title, address = request.title_snapshot, request.address_snapshot

    # when the vendor opens it
    response = browser_for(vendor_user).get(reverse("backoffice:detail", args=[request.pk]))

    # then the title snapshot (with the verified marker), the address, amount, type, shipping, mail-by, customer,
    # the timeline and the accept/reject actions are there
    html = response.content.decode()
    assert response.status_code == 200
    for value in (
        title["name"],
        title["taxpayer_id"],
        title["registered_address"],
        title["registered_phone"],
        title["bank_name"],
        title["bank_account"],
        address["recipient"],
        address["phone"],
        address["street"],
        address["postal_code"],
        shopper.customer_account.name,
        request.number,
        request.dispatch_due_date.isoformat(),
    ):
        assert value in html, value
    assert "Verified" in html
    assert "¥88.00" in html
    assert "VAT general invoice (paper)" in html
    assert 'data-rule="vendor_pays"' in html
    assert "working days left" in html
    assert html.count('data-testid="timeline-event"') == 1
    assert 'id="accept-button"' in html and reverse("backoffice:reject", args=[request.pk]) in html


def test_detail_of_a_mailed_request_shows_the_invoice_and_the_parcel(browser_for, shopper, vendor, vendor_user):
    request = mail(
        submit(shopper, vendor, "30.00"), vendor_user, tracking="YT9000000001", invoice="04450001", payer="recipient"
    )

    html = browser_for(vendor_user).get(reverse("backoffice:detail", args=[request.pk])).content.decode()

    assert 'data-testid="mailing-details"' in html
    assert "04450001" in html and "YT9000000001" in html and "SF Express" in html
    assert 'data-payer="recipient">Cash on delivery<' in html
    assert calendar_date(timezone.now()).isoformat() in html
    assert html.count('data-testid="timeline-event"') == 3
    assert 'id="accept-button"' not in html and 'id="mail-link"' not in html


# ---------- accept ----------


def test_accept_moves_a_pending_request_to_processing(browser_for, shopper, vendor, vendor_user):
    request = submit(shopper, vendor, "100.00")

    response = browser_for(vendor_user).post(reverse("backoffice:accept", args=[request.pk]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("backoffice:detail", args=[request.pk])
    assert fresh(request).status == InvoiceRequest.Status.PROCESSING
    assert any(f"Accepted request {request.number}" in message for message in messages_of(response))
    assert 'id="mail-link"' in response.content.decode()
    assert InvoiceEvent.objects.filter(request=request, to_status="processing", actor=vendor_user).count() == 1


def test_accept_from_the_queue_returns_to_the_same_queue_page(browser_for, shopper, vendor, vendor_user):
    request = submit(shopper, vendor, "100.00")
    back = reverse("backoffice:queue") + "?status=pending&page=1"

    response = browser_for(vendor_user).post(reverse("backoffice:accept", args=[request.pk]), {"next": back})

    assert response.status_code == 302 and response["Location"] == back
    assert fresh(request).status == InvoiceRequest.Status.PROCESSING


def test_accepting_a_request_the_customer_just_cancelled_says_so_and_changes_nothing(
    browser_for, shopper, vendor, vendor_user
):
    # given the vendor has the detail open, and the customer cancels a moment earlier
    request = submit(shopper, vendor, "100.00")
    browser = browser_for(vendor_user)
    browser.get(reverse("backoffice:detail", args=[request.pk]))
    invoice_request_cancel(actor=shopper, customer_account=shopper.customer_account, invoice_request_id=request.pk)

    # when the vendor presses Accept
    response = browser.post(reverse("backoffice:accept", args=[request.pk]), follow=True)

    # then the detail says the customer cancelled it, and it stays cancelled with no vendor event
    assert response.redirect_chain[-1][0] == reverse("backoffice:detail", args=[request.pk])
    assert any("The customer cancelled request" in message for message in messages_of(response))
    assert fresh(request).status == InvoiceRequest.Status.CANCELLED
    assert not InvoiceEvent.objects.filter(request=request, actor=vendor_user).exists()


def test_accept_is_post_only(browser_for, shopper, vendor, vendor_user):
    request = submit(shopper, vendor, "100.00")
    assert browser_for(vendor_user).get(reverse("backoffice:accept", args=[request.pk])).status_code == 405
    assert fresh(request).status == InvoiceRequest.Status.PENDING


# ---------- reject ----------


def test_reject_with_a_reason_releases_the_amount_and_the_customer_sees_why(browser_for, shopper, vendor, vendor_user):
    request = submit(shopper, vendor, "100.00")
    before = invoiceable_row(customer_account=shopper.customer_account, vendor_id=vendor.pk).invoiceable
    browser = browser_for(vendor_user)

    form = browser.get(reverse("backoffice:reject", args=[request.pk]))
    assert form.status_code == 200 and 'name="reason"' in form.content.decode()
    response = browser.post(
        reverse("backoffice:reject", args=[request.pk]), {"reason": "纳税人识别号有误"}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("backoffice:detail", args=[request.pk])
    assert any(f"Rejected request {request.number}" in message for message in messages_of(response))
    stored = fresh(request)
    assert stored.status == InvoiceRequest.Status.REJECTED and stored.status_reason == "纳税人识别号有误"
    after = invoiceable_row(customer_account=shopper.customer_account, vendor_id=vendor.pk).invoiceable
    assert after == before + Decimal("100.00")
    assert "纳税人识别号有误" in response.content.decode()


def test_reject_needs_a_reason(browser_for, shopper, vendor, vendor_user):
    request = submit(shopper, vendor, "100.00")

    response = browser_for(vendor_user).post(reverse("backoffice:reject", args=[request.pk]), {"reason": "   "})

    assert response.status_code == 200
    assert "Tell the customer why the request is rejected" in response.content.decode()
    assert 'class="field field-error' in response.content.decode()
    assert fresh(request).status == InvoiceRequest.Status.PENDING


def test_rejecting_a_processing_request_is_refused_with_a_message(browser_for, shopper, vendor, vendor_user):
    request = accept(submit(shopper, vendor, "100.00"), vendor_user)
    browser = browser_for(vendor_user)

    page = browser.get(reverse("backoffice:reject", args=[request.pk]), follow=True)
    assert page.redirect_chain[-1][0] == reverse("backoffice:detail", args=[request.pk])
    response = browser.post(reverse("backoffice:reject", args=[request.pk]), {"reason": "too late"}, follow=True)

    assert any("only a pending request can be accepted or rejected" in message for message in messages_of(response))
    assert fresh(request).status == InvoiceRequest.Status.PROCESSING
    assert fresh(request).status_reason == ""


# ---------- mark mailed ----------


def test_mark_mailed_records_the_invoice_and_the_parcel(browser_for, shopper, vendor, vendor_user):
    request = accept(submit(shopper, vendor, "120.00"), vendor_user)
    browser = browser_for(vendor_user)

    # the form: invoice date defaults to today (ISO, as <input type=date> needs), vendor pays pre-selected
    form = browser.get(reverse("backoffice:mail", args=[request.pk])).content.decode()
    assert f'value="{calendar_date(timezone.now()).isoformat()}"' in form
    assert 'name="courier"' in form and "SF Express" in form and "Other courier" in form

    response = browser.post(
        reverse("backoffice:mail", args=[request.pk]),
        mail_data(invoice_numbers="04452026000123, 04452026000124", tracking_number="sf1234567890"),
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("backoffice:detail", args=[request.pk])
    stored = fresh(request)
    assert stored.status == InvoiceRequest.Status.MAILING
    assert (stored.courier, stored.tracking_number, stored.shipping_payer) == ("sf", "SF1234567890", "vendor")
    assert stored.invoice_date == calendar_date(timezone.now())
    assert sorted(IssuedInvoice.objects.filter(request=request).values_list("number", flat=True)) == [
        "04452026000123",
        "04452026000124",
    ]
    assert any("is mailing" in message for message in messages_of(response))


def test_mark_mailed_with_another_courier_keeps_its_name(browser_for, shopper, vendor, vendor_user):
    request = accept(submit(shopper, vendor, "120.00"), vendor_user)
    browser_for(vendor_user).post(
        reverse("backoffice:mail", args=[request.pk]),
        mail_data(courier="other", courier_name="安能物流", tracking_number="AN123456789"),
    )
    stored = fresh(request)
    assert stored.status == InvoiceRequest.Status.MAILING
    assert stored.get_courier_label() == "安能物流"


@pytest.mark.parametrize(
    ("amount", "allowed"),
    [("49.99", True), ("50.00", False), ("50.01", False)],
)
def test_cash_on_delivery_only_below_50(browser_for, shopper, vendor, vendor_user, amount, allowed):
    # given a processing request of the amount
    request = accept(submit(shopper, vendor, amount), vendor_user)
    browser = browser_for(vendor_user)

    # the form explains the rule for this amount, and offers cash on delivery only below 50.00
    form = browser.get(reverse("backoffice:mail", args=[request.pk])).content.decode()
    recipient_radio = next(tag for tag in form.split("<input")[1:] if 'value="recipient"' in tag)
    assert ("disabled" not in recipient_radio.split(">")[0]) is allowed
    assert f'data-vendor-must-pay="{"false" if allowed else "true"}"' in form
    # the two payers are a labelled group of radio buttons, like every other choice field (not a label for nothing)
    payer_block = form.split('id="field-shipping_payer"')[1].split('id="field-')[0]
    assert "<legend" in payer_block and 'for=""' not in payer_block

    # when the vendor posts "recipient pays" anyway
    response = browser.post(reverse("backoffice:mail", args=[request.pk]), mail_data(shipping_payer="recipient"))

    stored = fresh(request)
    if allowed:
        assert response.status_code == 302
        assert (stored.status, stored.shipping_payer) == ("mailing", "recipient")
    else:
        # then the message is next to the field, what was typed is kept, and nothing changed
        html = response.content.decode()
        assert response.status_code == 200
        assert "must be shipped at the vendor&#x27;s cost" in html
        assert 'id="field-shipping_payer"' in html and "field-error" in html.split('id="field-shipping_payer"')[0][-80:]
        assert 'value="SF1234567890"' in html and "04452026000123" in html
        assert (stored.status, stored.tracking_number, stored.shipping_payer) == ("processing", "", "")
        assert not IssuedInvoice.objects.filter(request=request).exists()


def test_an_invoice_number_is_used_once_per_vendor(
    browser_for, shopper, vendor, other_vendor, vendor_user, vendor2_user
):
    # given an invoice number already used by this vendor
    mail(submit(shopper, vendor, "100.00"), vendor_user, tracking="SF1000000001", invoice="04452026000123")
    request = accept(submit(shopper, vendor, "100.00"), vendor_user)

    # when the vendor uses it again
    response = browser_for(vendor_user).post(
        reverse("backoffice:mail", args=[request.pk]), mail_data(invoice_numbers="04452026000123")
    )

    # then it is refused next to the field, and nothing changed
    assert response.status_code == 200
    assert "Invoice number 04452026000123 was already used for another request." in response.content.decode()
    assert fresh(request).status == InvoiceRequest.Status.PROCESSING
    # while the other vendor may use the same number on its own invoice
    theirs = accept(submit(shopper, other_vendor, "100.00"), vendor2_user)
    browser_for(vendor2_user).post(
        reverse("backoffice:mail", args=[theirs.pk]),
        mail_data(invoice_numbers="04452026000123", tracking_number="SF9999999999"),
    )
    assert fresh(theirs).status == InvoiceRequest.Status.MAILING


def test_a_tracking_number_is_used_once_per_courier(browser_for, shopper, vendor, vendor_user):
    mail(submit(shopper, vendor, "100.00"), vendor_user, tracking="SF1234567890", invoice="04450000001")
    request = accept(submit(shopper, vendor, "100.00"), vendor_user)
    browser = browser_for(vendor_user)

    response = browser.post(reverse("backoffice:mail", args=[request.pk]), mail_data())

    assert response.status_code == 200
    assert "This tracking number was already used for another request with this courier." in response.content.decode()
    assert fresh(request).status == InvoiceRequest.Status.PROCESSING
    # the same number with another courier is another parcel
    browser.post(reverse("backoffice:mail", args=[request.pk]), mail_data(courier="zto"))
    assert fresh(request).status == InvoiceRequest.Status.MAILING


def test_mail_form_errors_are_shown_together_next_to_their_fields(browser_for, shopper, vendor, vendor_user):
    request = accept(submit(shopper, vendor, "100.00"), vendor_user)
    tomorrow = (calendar_date(timezone.now()) + dt.timedelta(days=1)).isoformat()

    response = browser_for(vendor_user).post(
        reverse("backoffice:mail", args=[request.pk]),
        mail_data(invoice_numbers="", invoice_date=tomorrow, courier="", tracking_number="x", shipping_payer=""),
    )

    html = response.content.decode()
    assert response.status_code == 200
    for message in (
        "Enter the number of the invoice you issued.",
        "The invoice date cannot be in the future.",
        "Choose a courier.",
        "A tracking number has 6 to 40 letters, digits or dashes.",
        "Choose who pays shipping",
    ):
        assert message in html, message
    assert f'value="{tomorrow}"' in html and 'value="x"' in html
    assert fresh(request).status == InvoiceRequest.Status.PROCESSING


def test_an_unreadable_date_is_reported_with_the_other_errors(browser_for, shopper, vendor, vendor_user):
    request = accept(submit(shopper, vendor, "100.00"), vendor_user)

    response = browser_for(vendor_user).post(
        reverse("backoffice:mail", args=[request.pk]), mail_data(invoice_date="2026-13-45", courier="")
    )

    html = response.content.decode()
    assert "Enter a valid date." in html and "Choose a courier." in html
    assert "Enter the invoice date." not in html  # one message per field
    assert fresh(request).status == InvoiceRequest.Status.PROCESSING


def test_a_pending_request_cannot_be_marked_mailed(browser_for, shopper, vendor, vendor_user):
    request = submit(shopper, vendor, "100.00")
    browser = browser_for(vendor_user)

    page = browser.get(reverse("backoffice:mail", args=[request.pk]), follow=True)
    assert page.redirect_chain[-1][0] == reverse("backoffice:detail", args=[request.pk])
    assert any("Accept request" in message for message in messages_of(page))
    response = browser.post(reverse("backoffice:mail", args=[request.pk]), mail_data(), follow=True)

    assert any("before marking it mailed" in message for message in messages_of(response))
    assert fresh(request).status == InvoiceRequest.Status.PENDING
    assert not IssuedInvoice.objects.exists()
