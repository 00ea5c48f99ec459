import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django_fsm import TransitionNotAllowed

from apps.invoices.models import InvoiceRequest
from tests.helpers import reach_status, submit


def test_the_status_cannot_be_assigned_directly(consumed, vendor):
    # given a pending request
    request = submit(consumed, vendor, "100.00")
    # when code tries to set its status
    # then the protected field refuses
    with pytest.raises(AttributeError):
        request.status = InvoiceRequest.Status.MAILING
    assert InvoiceRequest.objects.get(pk=request.pk).status == "pending"


@pytest.mark.parametrize("status", ["processing", "mailing", "voided", "cancelled", "rejected"])
def test_only_a_pending_request_has_the_cancel_transition(consumed, vendor, status):
    # given a request in another status
    request = reach_status(submit(consumed, vendor, "100.00"), status)
    # when the model transition is called
    # then django-fsm refuses it
    with pytest.raises(TransitionNotAllowed):
        request.cancel()


def _insert(user, vendor, **overrides):
    values = {
        "customer_account": user.customer_account,
        "vendor": vendor,
        "submitted_by": user,
        "amount": Decimal("10.00"),
        "title_snapshot": {},
        "address_snapshot": {},
        "dispatch_due_date": dt.date(2026, 12, 11),
        **overrides,
    }
    return InvoiceRequest.objects.create(**values)


@pytest.mark.parametrize("amount", ["0.00", "-1.00"])
def test_the_database_refuses_a_request_below_one_cent(consumed, vendor, amount):
    # given a request row written without the service
    # when its amount is 0 or negative
    # then PostgreSQL refuses it
    with pytest.raises(IntegrityError), transaction.atomic():
        _insert(consumed, vendor, amount=Decimal(amount))
    assert not InvoiceRequest.objects.exists()


def test_the_database_refuses_an_unknown_status(consumed, vendor):
    # given a request
    request = submit(consumed, vendor, "100.00")
    # when a raw UPDATE writes a status that does not exist
    # then PostgreSQL refuses it
    with pytest.raises(IntegrityError), transaction.atomic():
        InvoiceRequest.objects.filter(pk=request.pk).update(status="approved")
    assert InvoiceRequest.objects.get(pk=request.pk).status == "pending"


def test_one_idempotency_key_per_account(consumed, vendor):
    # given a request with an idempotency key
    _insert(consumed, vendor, idempotency_key="k1")
    # when another row with the same key for the same account is written directly
    # then PostgreSQL refuses it (empty keys may repeat)
    with pytest.raises(IntegrityError), transaction.atomic():
        _insert(consumed, vendor, idempotency_key="k1")
    _insert(consumed, vendor)
    _insert(consumed, vendor)
    assert InvoiceRequest.objects.filter(idempotency_key="").count() == 2
