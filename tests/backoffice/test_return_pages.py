"""The vendor's invoice-return pages: agree with the fault choice (who pays postage), decline with a reason, confirm
receipt; put an accepted, never-mailed request back in the queue; the request's detail lists returns and tickets."""

import pytest

from apps.invoices.models import InvoiceRequest
from apps.refunds.models import InvoiceReturn, SupportTicket
from apps.refunds.services.returns import invoice_return_agree, invoice_return_request, invoice_return_ship
from tests.backoffice.helpers import fresh, messages_of
from tests.helpers import accept, mail, page_client, submit

pytestmark = pytest.mark.django_db


def _return(customer, invoice_request, purpose="refund") -> InvoiceReturn:
    return invoice_return_request(
        actor=customer,
        customer_account=customer.customer_account,
        invoice_request_id=invoice_request.pk,
        purpose=purpose,
        reason="Wrong taxpayer ID on the invoice.",
    )


@pytest.fixture
def mailed(consumed, vendor, vendor_user):
    return mail(submit(consumed, vendor, "200.00"), vendor_user)


@pytest.fixture
def asked(consumed, mailed):
    return _return(consumed, mailed, purpose="reissue")


def test_a_new_return_is_to_do_and_agreeing_at_fault_says_the_vendor_pays_postage(vendor_client, asked, mailed):
    queue = vendor_client.get("/backoffice/returns/").content.decode()
    assert f'data-return-id="{asked.pk}"' in queue
    assert mailed.number in queue

    response = vendor_client.post(
        f"/backoffice/returns/{asked.pk}/agree/", {"fault": "mismatch", "reason": "Sorry."}, follow=True
    )

    asked.refresh_from_db()
    assert asked.status == InvoiceReturn.Status.AGREED
    assert asked.vendor_fault == "mismatch"
    assert any("You pay the return postage" in text for text in messages_of(response))
    assert 'data-payer="vendor"' in response.content.decode()
    # Waiting for the customer: no longer on the to-do tab.
    assert f'data-return-id="{asked.pk}"' not in vendor_client.get("/backoffice/returns/").content.decode()


def test_agreeing_without_fault_says_the_customer_pays(vendor_client, asked):
    response = vendor_client.post(f"/backoffice/returns/{asked.pk}/agree/", {"fault": ""}, follow=True)

    asked.refresh_from_db()
    assert asked.status == InvoiceReturn.Status.AGREED
    assert asked.vendor_fault == ""
    assert 'data-payer="customer"' in response.content.decode()


def test_an_unknown_fault_is_refused_next_to_the_choice(vendor_client, asked):
    response = vendor_client.post(f"/backoffice/returns/{asked.pk}/agree/", {"fault": "weather"})

    assert response.status_code == 400
    asked.refresh_from_db()
    assert asked.status == InvoiceReturn.Status.REQUESTED


def test_declining_needs_a_reason(vendor_client, asked):
    response = vendor_client.post(f"/backoffice/returns/{asked.pk}/decline/", {"reason": ""})
    assert response.status_code == 400
    assert "Tell the customer why you decline the return." in response.content.decode()

    vendor_client.post(f"/backoffice/returns/{asked.pk}/decline/", {"reason": "Already used for tax deduction."})
    asked.refresh_from_db()
    assert asked.status == InvoiceReturn.Status.DECLINED
    assert asked.decision_reason == "Already used for tax deduction."


def test_a_parcel_on_its_way_back_is_to_do_until_the_vendor_confirms_it_arrived(
    vendor_client, vendor_user, consumed, asked, mailed
):
    invoice_return_agree(actor=vendor_user, vendor=vendor_user.vendor, return_id=asked.pk, fault="")
    invoice_return_ship(
        actor=consumed,
        customer_account=consumed.customer_account,
        return_id=asked.pk,
        courier="sf",
        tracking_number="SF1234567890",
    )
    assert f'data-return-id="{asked.pk}"' in vendor_client.get("/backoffice/returns/").content.decode()
    page = vendor_client.get(f"/backoffice/returns/{asked.pk}/").content.decode()
    assert "SF1234567890" in page
    assert 'data-testid="receive-form"' in page

    response = vendor_client.post(f"/backoffice/returns/{asked.pk}/receive/", follow=True)

    asked.refresh_from_db()
    assert asked.status == InvoiceReturn.Status.RECEIVED
    assert messages_of(response)
    # A second confirmation is explained, not recorded twice.
    again = vendor_client.post(f"/backoffice/returns/{asked.pk}/receive/", follow=True)
    assert messages_of(again)
    assert fresh(mailed).status == InvoiceRequest.Status.MAILING


def test_the_request_detail_shows_its_returns_and_tickets(vendor_client, consumed, asked, mailed):
    ticket = SupportTicket.objects.create(
        customer_account=consumed.customer_account,
        opened_by=consumed,
        subject="Please void the returned invoice",
        invoice_request=mailed,
        invoice_return=asked,
    )

    html = vendor_client.get(f"/backoffice/requests/{mailed.pk}/").content.decode()

    assert f'data-return-id="{asked.pk}"' in html
    assert f'data-ticket-id="{ticket.pk}"' in html
    assert "Please void the returned invoice" in html


def test_another_vendors_return_is_not_found(other_vendor_user, asked):
    client = page_client(other_vendor_user)

    assert client.get(f"/backoffice/returns/{asked.pk}/").status_code == 404
    assert client.post(f"/backoffice/returns/{asked.pk}/agree/", {"fault": ""}).status_code == 404
    assert f'data-return-id="{asked.pk}"' not in client.get("/backoffice/returns/?status=all").content.decode()


def test_staff_see_returns_read_only(staff_client, asked):
    html = staff_client.get(f"/backoffice/returns/{asked.pk}/").content.decode()

    assert 'data-testid="read-only"' in html
    assert 'data-testid="agree-form"' not in html
    assert staff_client.post(f"/backoffice/returns/{asked.pk}/agree/", {"fault": ""}).status_code == 403
    asked.refresh_from_db()
    assert asked.status == InvoiceReturn.Status.REQUESTED


def test_an_accepted_never_mailed_request_can_be_put_back_in_the_queue(vendor_client, consumed, vendor):
    record = accept(submit(consumed, vendor, "150.00"))
    assert 'data-testid="reopen-link"' in vendor_client.get(f"/backoffice/requests/{record.pk}/").content.decode()

    missing = vendor_client.post(f"/backoffice/requests/{record.pk}/reopen/", {"reason": ""})
    assert missing.status_code == 400
    assert fresh(record).status == InvoiceRequest.Status.PROCESSING

    response = vendor_client.post(
        f"/backoffice/requests/{record.pk}/reopen/", {"reason": "The customer wants another title."}, follow=True
    )

    assert fresh(record).status == InvoiceRequest.Status.PENDING
    assert any(record.number in text for text in messages_of(response))


def test_a_mailed_request_is_not_put_back_in_the_queue(vendor_client, mailed):
    assert 'data-testid="reopen-link"' not in vendor_client.get(f"/backoffice/requests/{mailed.pk}/").content.decode()

    response = vendor_client.get(f"/backoffice/requests/{mailed.pk}/reopen/", follow=True)

    assert messages_of(response)
    assert fresh(mailed).status == InvoiceRequest.Status.MAILING


def test_staff_cannot_put_a_request_back(staff_client, consumed, vendor):
    record = accept(submit(consumed, vendor, "150.00"))

    assert 'data-testid="reopen-link"' not in staff_client.get(f"/backoffice/requests/{record.pk}/").content.decode()
    assert staff_client.post(f"/backoffice/requests/{record.pk}/reopen/", {"reason": "x"}).status_code == 403


def test_the_pages_render_in_chinese(vendor_user, asked, mailed):
    client = page_client(vendor_user, language="zh-hans")

    for url in ("/backoffice/returns/", f"/backoffice/returns/{asked.pk}/", f"/backoffice/requests/{mailed.pk}/"):
        assert client.get(url).status_code == 200, url


def test_a_return_asked_before_mailing_offers_putting_the_request_back_instead_of_agreeing(
    vendor_client, consumed, vendor
):
    record = accept(submit(consumed, vendor, "150.00"))
    asked = _return(consumed, record)

    html = vendor_client.get(f"/backoffice/returns/{asked.pk}/").content.decode()

    assert 'data-testid="never-mailed"' in html
    assert 'data-testid="agree-form"' not in html
    vendor_client.post(f"/backoffice/requests/{record.pk}/reopen/", {"reason": "Never mailed; cancel and reapply."})
    assert fresh(record).status == InvoiceRequest.Status.PENDING
    asked.refresh_from_db()
    assert asked.status == InvoiceReturn.Status.CLOSED
