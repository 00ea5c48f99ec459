"""Races between the customer and the vendor on real PostgreSQL with real threads: exactly one side wins, the other
gets a conflict, and the money and the timeline show only what happened."""

from collections import Counter
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from apps.billing.models import VendorBalance
from apps.core.workdays import calendar_date
from apps.invoices.mailing import MailingInfo, invoice_request_mail
from apps.invoices.models import InvoiceEvent, InvoiceRequest, IssuedInvoice
from apps.invoices.services import invoice_request_accept, invoice_request_cancel
from tests.helpers import record_queued_notifications, run_together, submit

ROUNDS = 20
THREADS = 20


@pytest.fixture(autouse=True)
def queued(monkeypatch) -> dict[str, list]:
    """Notifications handed to the broker after commit, recorded instead of sent (one dict for every thread)."""
    return record_queued_notifications(monkeypatch)


def _run_together(jobs: list[Callable[[], object]]) -> list[object]:
    """Each job in its own thread, released together (tests/helpers.py `run_together`)."""
    return run_together(lambda index: jobs[index](), len(jobs), timeout=60)


def _balance(customer, vendor) -> VendorBalance:
    return VendorBalance.objects.get(customer_account=customer.customer_account, vendor=vendor)


def _active_total(customer, vendor) -> Decimal:
    return InvoiceRequest.objects.filter(
        customer_account=customer.customer_account, vendor=vendor, status__in=InvoiceRequest.ACTIVE_STATUSES
    ).aggregate(total=Sum("amount"))["total"] or Decimal("0.00")


@pytest.mark.django_db(transaction=True)
def test_the_customer_cancels_while_the_vendor_accepts_exactly_one_wins(consumed, vendor_user, queued):
    vendor = vendor_user.vendor
    winners: Counter = Counter()
    for round_number in range(ROUNDS):
        # given a fresh pending request of ¥10.00
        request = submit(consumed, vendor, "10.00")
        invoiced_before = _balance(consumed, vendor).invoiced

        def cancel(request_id: int = request.pk) -> str:
            invoice_request_cancel(
                actor=consumed, customer_account=consumed.customer_account, invoice_request_id=request_id
            )
            return "cancelled"

        def accept(request_id: int = request.pk) -> str:
            invoice_request_accept(actor=vendor_user, vendor=vendor, invoice_request_id=request_id)
            return "accepted"

        # when the customer cancels and the vendor accepts at the same moment
        cancel_result, accept_result = _run_together([cancel, accept])
        # then exactly one wins and the other is told it lost with a conflict
        outcome = (cancel_result, accept_result)
        assert outcome in (
            ("cancelled", ("cannot_accept", {})),
            (("cannot_cancel", {}), "accepted"),
        ), f"round {round_number}: {outcome}"
        cancelled = cancel_result == "cancelled"
        winners["cancel" if cancelled else "accept"] += 1
        # and the status is the winner's
        stored = InvoiceRequest.objects.get(pk=request.pk)
        assert stored.status == ("cancelled" if cancelled else "processing")
        # and the amount is released only if the request was cancelled
        invoiced_after = _balance(consumed, vendor).invoiced
        assert invoiced_after == invoiced_before - (Decimal("10.00") if cancelled else Decimal("0.00"))
        assert invoiced_after == _active_total(consumed, vendor)
        # and the timeline shows the submission and exactly what happened after it, nothing else
        events = [
            (event.actor_id, event.from_status, event.to_status)
            for event in InvoiceEvent.objects.filter(request=request).order_by("created_at", "id")
        ]
        winner_event = (consumed.pk, "pending", "cancelled") if cancelled else (vendor_user.pk, "pending", "processing")
        assert events == [(consumed.pk, "", "pending"), winner_event], f"round {round_number}"
        # and the customer is notified only of an acceptance (they cancelled themselves)
        assert queued["customer"].count((request.pk,)) == (0 if cancelled else 1)
    # and over all rounds (which side wins depends on timing; both are legal) the balance holds exactly the
    # accepted requests, and the customer heard of each acceptance once
    accepted = winners["accept"]
    assert _balance(consumed, vendor).invoiced == Decimal("10.00") * accepted == _active_total(consumed, vendor)
    assert len(queued["customer"]) == accepted


@pytest.mark.django_db(transaction=True)
def test_twenty_vendors_mailing_two_requests_with_one_tracking_number_only_one_succeeds(consumed, vendor_user, queued):
    # given two processing requests
    vendor = vendor_user.vendor
    requests = [submit(consumed, vendor, "30.00") for _ in range(2)]
    for request in requests:
        invoice_request_accept(actor=vendor_user, vendor=vendor, invoice_request_id=request.pk)
    queued["customer"].clear()
    today = calendar_date(timezone.now())

    def mail_job(index: int) -> Callable[[], object]:
        request = requests[index % 2]
        info = MailingInfo(
            invoice_numbers=[f"0451{index:04d}"],
            invoice_date=today,
            courier="sf",
            tracking_number="SF7777777777",
            shipping_payer="vendor",
        )

        def job() -> object:
            invoice_request_mail(actor=vendor_user, vendor=vendor, invoice_request_id=request.pk, mailing=info)
            return ("mailed", request.pk)

        return job

    # when 20 threads mark them mailed with the same SF tracking number at the same moment
    results = _run_together([mail_job(index) for index in range(THREADS)])
    # then exactly one succeeds
    successes = [result for result in results if isinstance(result, tuple) and result[0] == "mailed"]
    assert len(successes) == 1, results
    # and every other one is refused with a conflict or a clear field error, never a database error
    refusals = Counter(result[0] for result in results if result not in successes)
    assert set(refusals) <= {"cannot_mail", "duplicate_number", "invalid_mailing"}, results
    assert sum(refusals.values()) == THREADS - 1
    tracking_problems = [fields for code, fields in (r for r in results if r not in successes) if code != "cannot_mail"]
    assert all(list(fields) == ["tracking_number"] for fields in tracking_problems), tracking_problems
    # and the database holds one mailed request with one invoice number and one event; the other is untouched
    winner_pk = successes[0][1]
    loser_pk = next(request.pk for request in requests if request.pk != winner_pk)
    winner, loser = InvoiceRequest.objects.get(pk=winner_pk), InvoiceRequest.objects.get(pk=loser_pk)
    assert (winner.status, winner.tracking_number) == ("mailing", "SF7777777777")
    assert (loser.status, loser.tracking_number, loser.courier) == ("processing", "", "")
    assert IssuedInvoice.objects.count() == 1
    assert IssuedInvoice.objects.get().request_id == winner_pk
    assert InvoiceEvent.objects.filter(to_status="mailing").count() == 1
    # and only the winner's customer notification was queued
    assert queued["customer"] == [(winner_pk,)]
