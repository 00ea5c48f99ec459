"""The staff console's support tickets: the queue and its filters, assign to me, the conversation with replies and
attachments beside the request's history, and voiding the returned invoice from the ticket (permission, reason,
confirmation, one void only)."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from apps.billing.models import VendorBalance
from apps.invoices.models import InvoiceRequest
from apps.notifications.models import Notification
from apps.refunds.models import InvoiceReturn, SupportTicket
from apps.refunds.services.returns import (
    invoice_return_agree,
    invoice_return_receive,
    invoice_return_request,
    invoice_return_ship,
)
from apps.refunds.services.tickets import ticket_open
from tests.factories import StaffUserFactory, consume
from tests.helpers import fresh, mail, page_client, submit

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def png(name="invoice.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def staff_who_may_void():
    user = StaffUserFactory()
    user.user_permissions.add(Permission.objects.get(codename="void_invoicerequest"))
    return user


def returned_and_ticketed(customer, vendor_user, *, amount="100.00", fault="mismatch", tracking="YT1234567890"):
    """A mailed request whose invoice went back to the vendor (received), and the customer's ticket asking staff
    to void it, with a photo."""
    request = mail(submit(customer, vendor_user.vendor, amount), vendor_user)
    invoice_return = invoice_return_request(
        actor=customer,
        customer_account=customer.customer_account,
        invoice_request_id=request.pk,
        purpose="reissue",
        reason="Wrong taxpayer ID",
    )
    invoice_return_agree(actor=vendor_user, vendor=vendor_user.vendor, return_id=invoice_return.pk, fault=fault)
    invoice_return_ship(
        actor=customer,
        customer_account=customer.customer_account,
        return_id=invoice_return.pk,
        courier="yto",
        tracking_number=tracking,
    )
    invoice_return_receive(actor=vendor_user, vendor=vendor_user.vendor, return_id=invoice_return.pk)
    ticket = ticket_open(
        actor=customer,
        customer_account=customer.customer_account,
        subject="Please void the returned invoice",
        body="The vendor received it back.",
        invoice_request_id=request.pk,
        invoice_return_id=invoice_return.pk,
        files=[png()],
    )
    return request, ticket


@pytest.fixture
def ticket(consumed, vendor_user):
    return returned_and_ticketed(consumed, vendor_user)[1]


# --- the queue ---------------------------------------------------------------------------------------------------


def _listed(client, **query) -> list[int]:
    response = client.get(reverse("staffconsole:tickets"), query)
    assert response.status_code == 200
    return [ticket.pk for ticket in response.context["tickets"]]


def test_the_queue_filters_by_status_vendor_age_and_assignee(
    consumed, vendor, vendor_user, other_vendor, other_vendor_user, staff_user
):
    consume(customer_account=consumed.customer_account, vendor=other_vendor, amount="500.00")
    _, mine = returned_and_ticketed(consumed, vendor_user)
    _, theirs = returned_and_ticketed(consumed, other_vendor_user, tracking="YT1234567891")
    old = ticket_open(actor=consumed, customer_account=consumed.customer_account, subject="Old question", body="?")
    SupportTicket.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=8))
    client = page_client(staff_user)

    # Open or waiting ones by default, the latest message first
    assert _listed(client) == [old.pk, theirs.pk, mine.pk]
    assert _listed(client, vendor=other_vendor.pk) == [theirs.pk]
    assert _listed(client, age="7") == [old.pk]
    assert _listed(client, assignee="none") == [old.pk, theirs.pk, mine.pk]

    # Assign to me from the queue
    response = client.post(reverse("staffconsole:ticket_assign", args=[mine.pk]), {"next": "list"})
    assert response.status_code == 302 and response.url == reverse("staffconsole:tickets")
    assert SupportTicket.objects.get(pk=mine.pk).assignee == staff_user
    assert _listed(client, assignee="me") == [mine.pk]
    assert mine.pk not in _listed(client, assignee="none")
    page = client.get(reverse("staffconsole:tickets"), {"assignee": "me"}).content.decode()
    assert "Please void the returned invoice" in page and vendor.name in page

    # Resolved ones only under their status
    client.post(reverse("staffconsole:ticket_resolve", args=[old.pk]), {"note": "Answered by phone."})
    assert old.pk not in _listed(client)
    assert _listed(client, status="resolved") == [old.pk]
    assert set(_listed(client, status="all")) == {mine.pk, theirs.pk, old.pk}


def test_an_empty_queue_says_what_comes_here(staff_user):
    page = page_client(staff_user).get(reverse("staffconsole:tickets")).content.decode()
    assert "No open tickets" in page


def test_customers_and_vendors_cannot_open_the_staff_tickets(customer, vendor_user, ticket):
    for user in (customer, vendor_user):
        client = page_client(user)
        assert client.get(reverse("staffconsole:tickets")).status_code == 403
        assert client.get(reverse("staffconsole:ticket_detail", args=[ticket.pk])).status_code == 403
        assert client.post(reverse("staffconsole:ticket_void", args=[ticket.pk]), {"reason": "x"}).status_code == 403


# --- the ticket ----------------------------------------------------------------------------------------------------


def test_the_ticket_shows_the_conversation_beside_the_requests_whole_history(ticket, staff_user):
    client = page_client(staff_user)

    response = client.get(reverse("staffconsole:ticket_detail", args=[ticket.pk]))

    page = response.content.decode()
    assert "The vendor received it back." in page
    attachment = ticket.messages.get().attachments.get()
    assert reverse("staffconsole:ticket_attachment", args=[attachment.pk]) in page
    # the return with who pays the postage and its tracking, and the timeline in order
    assert "YT1234567890" in page and "The vendor pays" in page
    kinds = [event.kind for event in response.context["events"]]
    assert kinds[-5:] == ["return_requested", "return_agreed", "return_shipped", "return_received", "ticket_opened"]
    assert 'data-testid="void-link"' in page  # superuser staff may void

    download = client.get(reverse("staffconsole:ticket_attachment", args=[attachment.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "image/png"
    assert b"".join(download.streaming_content) == PNG


def test_staff_reply_with_an_attachment_reaches_the_customer(ticket, staff_user, customer):
    client = page_client(staff_user)

    response = client.post(
        reverse("staffconsole:ticket_detail", args=[ticket.pk]),
        {"body": "We are checking with the vendor.", "files": [png("note.png")]},
    )

    assert response.status_code == 302
    ticket = SupportTicket.objects.get(pk=ticket.pk)
    assert ticket.status == SupportTicket.Status.WAITING_FOR_CUSTOMER
    reply = ticket.messages.last()
    assert reply.author == staff_user and reply.attachments.get().original_name == "note.png"
    assert Notification.objects.filter(kind="ticket_replied", recipient=customer).count() == 1


def test_a_reply_with_a_file_that_is_not_an_image_or_pdf_is_refused_next_to_the_field(ticket, staff_user):
    client = page_client(staff_user)
    fake = SimpleUploadedFile("invoice.png", b"MZ not an image", content_type="image/png")

    response = client.post(
        reverse("staffconsole:ticket_detail", args=[ticket.pk]), {"body": "See attached.", "files": [fake]}
    )

    assert response.status_code == 200
    assert response.context["form"].errors
    assert "See attached." in response.content.decode()  # what staff typed is kept
    assert ticket.messages.count() == 1


# --- voiding -------------------------------------------------------------------------------------------------------


def test_voiding_from_the_ticket_asks_for_a_reason_then_voids_and_resolves(consumed, vendor, vendor_user):
    request, ticket = returned_and_ticketed(consumed, vendor_user)
    staff = staff_who_may_void()
    client = page_client(staff)
    url = reverse("staffconsole:ticket_void", args=[ticket.pk])

    # The confirmation page says what happens
    page = client.get(url).content.decode()
    assert "voided (final)" in page and 'data-testid="confirm-void"' in page

    # A reason is required
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200 and "reason" in response.context["form"].errors
    assert fresh(request).status == InvoiceRequest.Status.MAILING

    response = client.post(url, {"reason": "Wrong taxpayer ID; returned and received."})

    assert response.status_code == 302
    request = fresh(request)
    assert request.status == InvoiceRequest.Status.VOIDED
    assert SupportTicket.objects.get(pk=ticket.pk).status == SupportTicket.Status.RESOLVED
    assert InvoiceReturn.objects.get(invoice_request=request).status == InvoiceReturn.Status.CLOSED
    assert VendorBalance.objects.get(customer_account=consumed.customer_account, vendor=vendor).invoiced == 0
    page = client.get(reverse("staffconsole:ticket_detail", args=[ticket.pk])).content.decode()
    assert 'data-testid="already-voided"' in page and 'data-testid="void-link"' not in page
    void_event = request.events.get(to_status="voided")
    assert void_event.actor == staff and f"T{ticket.pk}" in void_event.reason


def test_a_second_void_gets_a_clear_conflict_message(consumed, vendor_user):
    request, ticket = returned_and_ticketed(consumed, vendor_user)
    first, second = page_client(staff_who_may_void()), page_client(staff_who_may_void())
    url = reverse("staffconsole:ticket_void", args=[ticket.pk])
    second.get(url)  # both opened the confirmation page

    assert first.post(url, {"reason": "Returned."}).status_code == 302
    response = second.post(url, {"reason": "Returned too."})

    assert response.status_code == 409
    assert "already" in response.content.decode()
    assert request.events.filter(to_status="voided").count() == 1


def test_staff_without_the_void_permission_cannot_void(consumed, vendor_user):
    request, ticket = returned_and_ticketed(consumed, vendor_user)
    client = page_client(StaffUserFactory())
    url = reverse("staffconsole:ticket_void", args=[ticket.pk])

    page = client.get(reverse("staffconsole:ticket_detail", args=[ticket.pk])).content.decode()
    assert 'data-testid="void-link"' not in page and 'data-testid="no-void-permission"' in page
    assert 'data-testid="confirm-void"' not in client.get(url).content.decode()

    response = client.post(url, {"reason": "Trying anyway."})

    assert response.status_code == 403
    assert fresh(request).status == InvoiceRequest.Status.MAILING
    assert SupportTicket.objects.get(pk=ticket.pk).status == SupportTicket.Status.OPEN


# --- vendors' return faults ----------------------------------------------------------------------------------------


def test_the_vendors_page_counts_returns_where_the_vendor_was_at_fault(
    consumed, vendor, vendor_user, other_vendor, other_vendor_user, staff_user
):
    consume(customer_account=consumed.customer_account, vendor=other_vendor, amount="500.00")
    returned_and_ticketed(consumed, vendor_user, fault="mismatch")
    returned_and_ticketed(consumed, vendor_user, fault="damaged", tracking="YT1234567892")
    returned_and_ticketed(consumed, other_vendor_user, fault="", tracking="YT1234567893")
    old = returned_and_ticketed(consumed, vendor_user, fault="damaged", tracking="YT1234567894")[0]
    InvoiceReturn.objects.filter(invoice_request=old).update(decided_at=timezone.now() - dt.timedelta(days=45))
    client = page_client(staff_user)

    def faults(days):
        response = client.get(reverse("staffconsole:vendors"), {"days": days})
        return {row.vendor.pk: row.return_faults for row in response.context["figures"]}

    assert faults(30)[vendor.pk] == 2 and faults(30)[other_vendor.pk] == 0
    assert faults(90)[vendor.pk] == 3
    assert "Returns at fault" in client.get(reverse("staffconsole:vendors")).content.decode()
