"""Support tickets: open (with attachments checked by content), reply, assign, resolve; who may read what."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.core.errors import ApplicationError, ConflictError, NotFoundError
from apps.invoices.models import InvoiceEvent
from apps.notifications.models import Notification
from apps.notifications.rendering import render_notification
from apps.refunds.files import attachment_for_user
from apps.refunds.models import SupportTicket, TicketAttachment
from apps.refunds.selectors import ticket_for_customer, ticket_for_staff, tickets_for_customer, tickets_for_staff
from apps.refunds.services.tickets import (
    ticket_assign,
    ticket_open,
    ticket_prefill_for_return,
    ticket_reply,
    ticket_resolve,
)
from tests.factories import StaffUserFactory
from tests.helpers import mail, submit
from tests.refunds.test_returns import received_return

pytestmark = pytest.mark.usefixtures("english")

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n" + b"x" * 64


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def png(name="photo.png", content=PNG):
    return SimpleUploadedFile(name, content, content_type="image/png")


def open_ticket(customer, request=None, files=(), **kwargs):
    return ticket_open(
        actor=customer,
        customer_account=customer.customer_account,
        subject=kwargs.pop("subject", "Please void my invoice"),
        body=kwargs.pop("body", "It came back."),
        invoice_request_id=request.pk if request else None,
        files=files,
        **kwargs,
    )


def test_a_ticket_with_a_photo_reaches_staff_and_the_request_timeline(consumed, vendor, vendor_user, staff_user):
    customer = consumed
    request = mail(submit(customer, vendor), vendor_user)

    ticket = open_ticket(customer, request, files=[png(), SimpleUploadedFile("scan.PDF", PDF)])

    assert ticket.status == SupportTicket.Status.OPEN
    attachments = list(TicketAttachment.objects.filter(message__ticket=ticket).order_by("id"))
    assert [(a.original_name, a.content_type) for a in attachments] == [
        ("photo.png", "image/png"),
        ("scan.PDF", "application/pdf"),
    ]
    assert attachments[0].file.name.startswith(f"tickets/{ticket.pk}/") and attachments[0].file.read() == PNG
    event = InvoiceEvent.objects.filter(request=request).latest("id")
    assert event.kind == "ticket_opened"
    assert event.text == f"Support ticket T{ticket.pk} opened: Please void my invoice"
    notification = Notification.objects.get(kind="ticket_opened", recipient=staff_user)
    rendered = render_notification(notification, language="en")
    assert f"T{ticket.pk}" in rendered.subject and rendered.url.endswith(f"/tickets/{ticket.pk}/")


@pytest.mark.parametrize(
    ("upload", "code"),
    [
        (SimpleUploadedFile("fake.png", b"<html><script>alert(1)</script>"), "attachment_type"),
        (SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (5 * 1024 * 1024)), "attachment_too_large"),
        (SimpleUploadedFile("empty.jpg", b""), "attachment_type"),
    ],
)
def test_attachments_are_checked_by_content_and_size(consumed, upload, code):
    with pytest.raises(ApplicationError) as error:
        open_ticket(consumed, files=[upload])
    assert error.value.code == code and "files" in error.value.fields
    assert not SupportTicket.objects.exists()


def test_at_most_five_attachments_per_message(consumed):
    with pytest.raises(ApplicationError) as error:
        open_ticket(consumed, files=[png(f"{i}.png") for i in range(6)])
    assert error.value.code == "too_many_attachments"


def test_webp_and_jpeg_are_accepted(consumed):
    webp = SimpleUploadedFile("a.webp", b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"0" * 20)
    jpeg = SimpleUploadedFile("b.jpg", b"\xff\xd8\xff\xe0" + b"0" * 20)
    ticket = open_ticket(consumed, files=[webp, jpeg])
    types = list(TicketAttachment.objects.filter(message__ticket=ticket).values_list("content_type", flat=True))
    assert sorted(types) == ["image/jpeg", "image/webp"]


def test_attachments_are_served_only_to_the_tickets_parties(consumed, other_customer, vendor_user, staff_user):
    ticket = open_ticket(consumed, files=[png()])
    attachment = TicketAttachment.objects.get(message__ticket=ticket)

    assert attachment_for_user(user=consumed, attachment_id=attachment.pk) == attachment
    assert attachment_for_user(user=staff_user, attachment_id=attachment.pk) == attachment
    for outsider in (other_customer, vendor_user):
        with pytest.raises(NotFoundError):
            attachment_for_user(user=outsider, attachment_id=attachment.pk)


def test_conversation_statuses_and_notifications(consumed, staff_user):
    customer = consumed
    colleague = StaffUserFactory()
    ticket = open_ticket(customer)

    ticket = ticket_assign(actor=staff_user, ticket_id=ticket.pk)
    assert ticket.assignee == staff_user
    ticket_reply(actor=staff_user, ticket_id=ticket.pk, body="Which invoice number?", files=[png()])
    assert SupportTicket.objects.get(pk=ticket.pk).status == SupportTicket.Status.WAITING_FOR_CUSTOMER
    assert Notification.objects.filter(kind="ticket_replied", recipient=customer).count() == 1

    ticket_reply(actor=customer, ticket_id=ticket.pk, body="12345678")
    assert SupportTicket.objects.get(pk=ticket.pk).status == SupportTicket.Status.OPEN
    # The customer's answer goes to the assignee only, not to every colleague.
    assert Notification.objects.filter(kind="ticket_replied", recipient=staff_user).count() == 1
    assert not Notification.objects.filter(kind="ticket_replied", recipient=colleague).exists()

    ticket_resolve(actor=staff_user, ticket_id=ticket.pk, note="Done.")
    ticket = ticket_for_customer(customer_account=customer.customer_account, ticket_id=ticket.pk)
    assert ticket.status == SupportTicket.Status.RESOLVED and ticket.resolved_at is not None
    assert [m.body for m in ticket.messages.all()] == ["It came back.", "Which invoice number?", "12345678", "Done."]
    assert Notification.objects.filter(kind="ticket_resolved", recipient=customer).count() == 1

    with pytest.raises(ConflictError):
        ticket_reply(actor=customer, ticket_id=ticket.pk, body="One more thing")
    with pytest.raises(ConflictError):
        ticket_resolve(actor=staff_user, ticket_id=ticket.pk)


def test_only_parties_reply_and_only_staff_assign_or_resolve(consumed, other_customer, vendor_user):
    ticket = open_ticket(consumed)
    for outsider in (other_customer, vendor_user):
        with pytest.raises(NotFoundError):
            ticket_reply(actor=outsider, ticket_id=ticket.pk, body="hi")
    with pytest.raises(NotFoundError):
        ticket_assign(actor=consumed, ticket_id=ticket.pk)
    with pytest.raises(NotFoundError):
        ticket_resolve(actor=consumed, ticket_id=ticket.pk)
    with pytest.raises(NotFoundError):
        ticket_for_customer(customer_account=other_customer.customer_account, ticket_id=ticket.pk)


def test_a_ticket_links_only_the_accounts_own_request(consumed, other_customer, vendor, vendor_user):
    request = submit(consumed, vendor)
    with pytest.raises(NotFoundError):
        open_ticket(other_customer, request)
    with pytest.raises(ApplicationError) as error:
        open_ticket(consumed, subject="  ")
    assert error.value.code == "subject_required"


def test_prefill_names_the_request_the_return_and_its_tracking(consumed, vendor, vendor_user, other_customer):
    customer = consumed
    request = mail(submit(customer, vendor), vendor_user)
    invoice_return = received_return(customer, vendor_user, request)

    prefill = ticket_prefill_for_return(customer_account=customer.customer_account, return_id=invoice_return.pk)

    assert prefill["subject"] == f"Please void invoice request {request.number}"
    assert request.number in prefill["body"] and "YT1234567890" in prefill["body"]
    assert f"{request.pk:08d}" in prefill["body"]  # the invoice number issued
    ticket = open_ticket(
        customer, request, subject=prefill["subject"], body=prefill["body"], invoice_return_id=invoice_return.pk
    )
    assert ticket.invoice_return == invoice_return
    with pytest.raises(NotFoundError):
        ticket_prefill_for_return(customer_account=other_customer.customer_account, return_id=invoice_return.pk)


def test_staff_queue_filters(consumed, vendor, other_vendor, vendor_user, staff_user, django_assert_max_num_queries):
    customer = consumed
    from tests.factories import consume

    consume(customer_account=customer.customer_account, vendor=other_vendor, amount="500.00")
    mine = open_ticket(customer, submit(customer, vendor))
    other = open_ticket(customer, submit(customer, other_vendor))
    loose = open_ticket(customer)
    ticket_assign(actor=staff_user, ticket_id=mine.pk)
    ticket_resolve(actor=staff_user, ticket_id=loose.pk)
    SupportTicket.objects.filter(pk=other.pk).update(created_at=other.created_at.replace(year=2020))

    def ids(**filters):
        return {ticket.pk for ticket in tickets_for_staff(**filters)}

    assert ids() == {mine.pk, other.pk, loose.pk}
    assert ids(status="active") == {mine.pk, other.pk}
    assert ids(status="resolved") == {loose.pk}
    assert ids(vendor=vendor) == {mine.pk}
    assert ids(older_than_days=30) == {other.pk}
    assert ids(assignee="me", user=staff_user) == {mine.pk, loose.pk}
    assert ids(assignee=staff_user) == {mine.pk, loose.pk}
    assert ids(assignee="none") == {other.pk}
    assert {t.pk for t in tickets_for_customer(customer_account=customer.customer_account)} == ids()
    with django_assert_max_num_queries(8):
        detail = ticket_for_staff(ticket_id=mine.pk)
        assert [event.kind for event in detail.invoice_request.events.all()][-1] == "ticket_opened"
        assert [m.attachments.all() for m in detail.messages.all()]


def test_a_failed_ticket_or_reply_leaves_no_file_behind(consumed, staff_user, tmp_path, monkeypatch):
    from apps.refunds.services import tickets

    def files_on_disk() -> list:
        return sorted(path.name for path in tmp_path.rglob("*") if path.is_file())

    kept = open_ticket(consumed, files=[png("kept.png")])
    before = files_on_disk()
    assert len(before) == 1

    def notification_fails(**kwargs):
        raise RuntimeError("the notification could not be written")

    monkeypatch.setattr(tickets, "notify", notification_fails)
    with pytest.raises(RuntimeError):
        open_ticket(consumed, files=[png(), png("second.png")])
    with pytest.raises(RuntimeError):
        ticket_reply(actor=consumed, ticket_id=kept.pk, body="And this photo", files=[png("third.png")])
    # the rows rolled back, and so did the files: only the first ticket's photo is there
    assert TicketAttachment.objects.count() == 1
    assert files_on_disk() == before
