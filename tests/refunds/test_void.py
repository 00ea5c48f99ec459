"""Staff void a returned invoice from a ticket: who may, what it releases, and races (two voids; void vs a return)."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission

from apps.billing.models import VendorBalance
from apps.core.errors import ApplicationError, ConflictError, NotFoundError
from apps.invoices.models import InvoiceEvent, InvoiceRequest
from apps.notifications.models import Notification
from apps.notifications.rendering import render_notification
from apps.refunds.models import InvoiceReturn, SupportTicket
from apps.refunds.services.returns import invoice_return_receive
from apps.refunds.services.tickets import ticket_open
from apps.refunds.services.voiding import invoice_request_void
from tests.factories import StaffUserFactory
from tests.helpers import accept, fresh, mail, run_together, submit
from tests.refunds.test_returns import agree, ask_return, received_return, ship

pytestmark = pytest.mark.usefixtures("english")


def _balance(customer, vendor) -> VendorBalance:
    return VendorBalance.objects.get(customer_account=customer.customer_account, vendor=vendor)


def _ticket(customer, request, invoice_return=None) -> SupportTicket:
    return ticket_open(
        actor=customer,
        customer_account=customer.customer_account,
        subject="Please void",
        body="Returned.",
        invoice_request_id=request.pk,
        invoice_return_id=invoice_return.pk if invoice_return else None,
    )


def test_void_releases_the_amount_resolves_the_ticket_and_tells_everyone_once(
    consumed, vendor, vendor_user, staff_user
):
    customer = consumed
    request = mail(submit(customer, vendor, "400.00"), vendor_user)
    invoice_return = received_return(customer, vendor_user, request, purpose="reissue")
    ticket = _ticket(customer, request, invoice_return)
    assert _balance(customer, vendor).invoiced == Decimal("400.00")

    voided = invoice_request_void(actor=staff_user, ticket_id=ticket.pk, reason="Returned for a reissue")

    assert voided.status == InvoiceRequest.Status.VOIDED
    assert _balance(customer, vendor).invoiced == 0  # the customer can apply again
    assert submit(customer, vendor, "1000.00").status == InvoiceRequest.Status.PENDING
    assert InvoiceReturn.objects.get(pk=invoice_return.pk).status == InvoiceReturn.Status.CLOSED
    ticket = SupportTicket.objects.get(pk=ticket.pk)
    assert ticket.status == SupportTicket.Status.RESOLVED and ticket.assignee == staff_user
    event = InvoiceEvent.objects.filter(request=request).latest("id")
    assert (event.from_status, event.to_status, event.actor) == ("mailing", "voided", staff_user)
    assert event.reason == f"Ticket T{ticket.pk}: Returned for a reissue"
    kinds = list(
        InvoiceEvent.objects.filter(request=request).order_by("created_at", "id").values_list("kind", flat=True)
    )
    assert kinds[-6:] == [
        "return_requested",
        "return_agreed",
        "return_shipped",
        "return_received",
        "ticket_opened",
        "status_changed",
    ]
    for user in (customer, vendor_user):
        assert Notification.objects.filter(kind="voided", recipient=user).count() == 1
    assert not Notification.objects.filter(kind="ticket_resolved").exists()  # the void notice says it all
    text = render_notification(Notification.objects.get(kind="voided", recipient=customer), language="en").text
    assert "invoiceable again" in text


def test_voiding_a_refunds_invoice_clears_the_debt(consumed, vendor, vendor_user, staff_user):
    from apps.refunds.selectors import invoice_debts_for_account
    from apps.refunds.services.refunds import refund_approve, refund_request

    customer = consumed
    request = mail(submit(customer, vendor, "1000.00"), vendor_user)
    refund = refund_request(
        actor=customer, customer_account=customer.customer_account, vendor=vendor, amount=Decimal("300"), reason="x"
    )
    refund_approve(actor=vendor_user, vendor=vendor, refund_id=refund.pk)
    assert invoice_debts_for_account(customer_account=customer.customer_account)[0].debt == Decimal("300.00")
    ticket = _ticket(customer, request, received_return(customer, vendor_user, request))

    invoice_request_void(actor=staff_user, ticket_id=ticket.pk, reason="Returned for a refund")

    assert invoice_debts_for_account(customer_account=customer.customer_account) == []
    text = render_notification(Notification.objects.get(kind="voided", recipient=customer), language="en").text
    assert "debt is settled" in text


def test_only_staff_with_the_permission_void(consumed, vendor, vendor_user):
    customer = consumed
    request = mail(submit(customer, vendor), vendor_user)
    ticket = _ticket(customer, request)
    staff_without = StaffUserFactory()

    with pytest.raises(ApplicationError) as error:
        invoice_request_void(actor=staff_without, ticket_id=ticket.pk, reason="x")
    assert (error.value.code, error.value.status_code) == ("permission_denied", 403)
    for outsider in (customer, vendor_user):
        with pytest.raises(NotFoundError):
            invoice_request_void(actor=outsider, ticket_id=ticket.pk, reason="x")
    assert fresh(request).status == InvoiceRequest.Status.MAILING

    staff_without.user_permissions.add(Permission.objects.get(codename="void_invoicerequest"))
    staff_with = type(staff_without).objects.get(pk=staff_without.pk)  # a fresh permission cache
    assert invoice_request_void(actor=staff_with, ticket_id=ticket.pk, reason="x").status == "voided"


def test_void_needs_a_reason_an_open_ticket_and_a_mailed_request(consumed, vendor, vendor_user, staff_user):
    customer = consumed
    processing = accept(submit(customer, vendor), vendor_user)
    with pytest.raises(ConflictError) as error:
        invoice_request_void(actor=staff_user, ticket_id=_ticket(customer, processing).pk, reason="x")
    assert error.value.code == "cannot_void"

    loose = ticket_open(actor=customer, customer_account=customer.customer_account, subject="Hi", body="?")
    with pytest.raises(ApplicationError) as error:
        invoice_request_void(actor=staff_user, ticket_id=loose.pk, reason="x")
    assert error.value.code == "ticket_without_request"

    mailed = mail(submit(customer, vendor), vendor_user)
    ticket = _ticket(customer, mailed)
    with pytest.raises(ApplicationError) as error:
        invoice_request_void(actor=staff_user, ticket_id=ticket.pk, reason=" ")
    assert error.value.code == "reason_required"

    invoice_request_void(actor=staff_user, ticket_id=ticket.pk, reason="Returned")
    with pytest.raises(ConflictError) as error:  # final: never voided twice
        invoice_request_void(actor=staff_user, ticket_id=_ticket(customer, mailed).pk, reason="again")
    assert error.value.code == "cannot_void" and "already voided" in str(error.value.message)


@pytest.mark.django_db(transaction=True)
def test_two_staff_voiding_at_once_one_wins_the_other_gets_a_conflict(consumed, vendor, vendor_user, staff_user):
    customer = consumed
    request = mail(submit(customer, vendor, "250.00"), vendor_user)
    tickets = [_ticket(customer, request), _ticket(customer, request)]
    other_staff = StaffUserFactory(is_superuser=True)
    actors = [staff_user, other_staff]

    results = run_together(
        lambda i: invoice_request_void(actor=actors[i], ticket_id=tickets[i].pk, reason=f"void {i}").status, 2
    )

    assert sorted(map(str, results)) == sorted(["voided", str(("cannot_void", {}))])
    assert _balance(customer, vendor).invoiced == 0  # released once, not twice
    assert InvoiceEvent.objects.filter(request=request, to_status="voided").count() == 1
    assert Notification.objects.filter(kind="voided", recipient=customer).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_ticket_voided_twice_at_once(consumed, vendor, vendor_user, staff_user):
    customer = consumed
    request = mail(submit(customer, vendor), vendor_user)
    ticket = _ticket(customer, request)

    results = run_together(lambda i: invoice_request_void(actor=staff_user, ticket_id=ticket.pk, reason="x").pk, 2)

    assert results.count(request.pk) == 1
    assert ("cannot_void", {}) in results


@pytest.mark.django_db(transaction=True)
def test_void_versus_the_vendor_confirming_receipt_stays_consistent(consumed, vendor, vendor_user, staff_user):
    customer = consumed
    request = mail(submit(customer, vendor), vendor_user)
    invoice_return = ask_return(customer, request)
    agree(vendor_user, invoice_return)
    ship(customer, invoice_return)
    ticket = _ticket(customer, request, invoice_return)

    steps = [
        lambda: invoice_request_void(actor=staff_user, ticket_id=ticket.pk, reason="Returned").status,
        lambda: invoice_return_receive(actor=vendor_user, vendor=vendor, return_id=invoice_return.pk).status,
    ]
    results = run_together(lambda i: steps[i](), 2)

    assert results[0] == "voided"
    # Either the receipt came first (then the void closed the return) or the void did (the receipt is refused).
    assert results[1] in ("received", ("return_wrong_status", {}))
    assert InvoiceReturn.objects.get(pk=invoice_return.pk).status == InvoiceReturn.Status.CLOSED
    assert fresh(request).status == InvoiceRequest.Status.VOIDED


@pytest.mark.django_db(transaction=True)
def test_void_versus_a_new_return_request(consumed, vendor, vendor_user, staff_user):
    customer = consumed
    request = mail(submit(customer, vendor), vendor_user)
    ticket = _ticket(customer, request)

    steps = [
        lambda: invoice_request_void(actor=staff_user, ticket_id=ticket.pk, reason="Lost in the post").status,
        lambda: ask_return(customer, request).status,
    ]
    results = run_together(lambda i: steps[i](), 2)

    assert results[0] == "voided"
    assert results[1] in ("requested", ("cannot_return", {}))
    # Whatever the order, no open return is left on a voided request.
    assert not InvoiceReturn.objects.filter(invoice_request=request, status__in=InvoiceReturn.OPEN_STATUSES).exists()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_return_ticket_and_void_notification_renders_with_a_link(
    consumed, vendor, vendor_user, staff_user, language
):
    from apps.refunds.services.returns import invoice_request_reopen
    from apps.refunds.services.tickets import ticket_reply, ticket_resolve

    customer = consumed
    request = mail(submit(customer, vendor), vendor_user)
    ticket = _ticket(customer, request, received_return(customer, vendor_user, request))
    ticket_reply(actor=staff_user, ticket_id=ticket.pk, body="OK")
    ticket_reply(actor=customer, ticket_id=ticket.pk, body="Thanks")
    invoice_request_void(actor=staff_user, ticket_id=ticket.pk, reason="Returned")
    other = ticket_open(actor=customer, customer_account=customer.customer_account, subject="Hi", body="?")
    ticket_resolve(actor=staff_user, ticket_id=other.pk)
    invoice_request_reopen(
        actor=vendor_user,
        vendor=vendor,
        invoice_request_id=accept(submit(customer, vendor), vendor_user).pk,
        reason="r",
    )

    kinds = set()
    for notification in Notification.objects.select_related("recipient", "invoice_request__vendor"):
        rendered = render_notification(notification, language=language)
        assert rendered.subject and rendered.text and rendered.url, notification.kind
        kinds.add(notification.kind)
    assert {
        "return_requested",
        "return_agreed",
        "return_shipped",
        "return_received",
        "ticket_opened",
        "ticket_replied",
        "ticket_resolved",
        "voided",
    } <= kinds
