"""Submitting while the same title or address is deleted in another tab: one wins cleanly, never a database error."""

from decimal import Decimal

import pytest

from apps.addresses.models import MailingAddress
from apps.addresses.services import address_delete
from apps.billing.models import VendorBalance
from apps.invoices.models import InvoiceRequest
from apps.invoices.services import invoice_request_submit
from apps.notifications.tasks import deliver_notifications_task
from apps.titles.models import InvoiceTitle
from apps.titles.services import title_delete
from tests.factories import InvoiceTitleFactory, MailingAddressFactory
from tests.helpers import run_together

TRIALS = 8


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    monkeypatch.setattr(deliver_notifications_task, "apply_async", lambda *args, **kwargs: None)


def _race(customer, vendor, *, title, address, delete) -> list[object]:
    account = customer.customer_account

    def job(index: int) -> object:
        if index == 0:
            delete()
            return "deleted"
        request, _created = invoice_request_submit(
            actor=customer,
            customer_account=account,
            vendor=vendor,
            amount=Decimal("10.00"),
            title=title,
            address=address,
        )
        return request.pk

    return run_together(job, 2)


def _assert_one_clean_outcome(results, *, field: str) -> None:
    deleted, submitted = results
    assert deleted == "deleted", results
    # Either the delete went first and the submission is refused next to the field ...
    if isinstance(submitted, tuple):
        code, fields = submitted
        assert code == "invalid_application", results
        assert list(fields) == [field], results
        return
    # ... or the submission went first: it keeps its snapshot and the delete detached it from the row.
    assert isinstance(submitted, int), results  # not "IntegrityError: … violates foreign key constraint"
    request = InvoiceRequest.objects.get(pk=submitted)
    assert getattr(request, f"{field}_id") is None
    assert request.title_snapshot and request.address_snapshot


@pytest.mark.django_db(transaction=True)
def test_submitting_while_the_address_is_deleted_never_fails_at_commit(consumed, vendor):
    account = consumed.customer_account
    title = account.titles.get(is_default=True)
    for _ in range(TRIALS):
        # given an extra address chosen in one tab
        address = MailingAddressFactory(customer_account=account, is_default=False)
        # when it is deleted in another tab at the moment the application is submitted
        results = _race(
            consumed,
            vendor,
            title=title,
            address=address,
            delete=lambda address=address: address_delete(address=address, actor=consumed),
        )
        # then one of the two went first, cleanly
        _assert_one_clean_outcome(results, field="address")
        assert not MailingAddress.objects.filter(pk=address.pk).exists()
    balance = VendorBalance.objects.get(customer_account=account, vendor=vendor)
    assert balance.invoiced == sum(request.amount for request in InvoiceRequest.objects.filter(vendor=vendor))


@pytest.mark.django_db(transaction=True)
def test_submitting_while_the_title_is_deleted_never_fails_at_commit(consumed, vendor):
    account = consumed.customer_account
    address = account.addresses.get(is_default=True)
    for _ in range(TRIALS):
        title = InvoiceTitleFactory(customer_account=account, is_default=False)
        results = _race(
            consumed,
            vendor,
            title=title,
            address=address,
            delete=lambda title=title: title_delete(title=title, actor=consumed),
        )
        _assert_one_clean_outcome(results, field="title")
        assert not InvoiceTitle.objects.filter(pk=title.pk).exists()
