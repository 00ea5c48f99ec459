"""Applying while a consumption import holds the account's balance rows: the submit waits, both commit, no deadlock.

The import locks every balance row of its file for its whole transaction, and its new consumption rows' foreign-key
check takes a key-share lock on the customer account at commit. The submit locks the account first, then the
balance: its account lock must not block that key-share lock (FOR NO KEY UPDATE), or the two wait on each other.
"""

import threading
import time
from decimal import Decimal

import pytest
from django.db import transaction

from apps.billing.models import ConsumptionRecord, VendorBalance
from apps.billing.services import consumption_import_csv
from apps.invoices.models import InvoiceRequest
from apps.invoices.services import invoice_request_submit
from apps.notifications.tasks import deliver_notifications_task
from tests.factories import consume
from tests.helpers import run_together


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    monkeypatch.setattr(deliver_notifications_task, "apply_async", lambda *args, **kwargs: None)


@pytest.mark.django_db(transaction=True)
def test_a_submit_during_a_long_import_of_the_same_account_waits_and_both_commit(customer, vendor):
    account = customer.customer_account
    consume(customer_account=account, vendor=vendor, amount="100.00")
    csv_text = (
        "external_id,customer_account,vendor,amount,consumed_at,description\n"
        f"during-import-1,{account.pk},{vendor.pk},10.00,2025-01-02,\n"
    )
    import_holds_its_locks = threading.Event()

    def job(index: int) -> object:
        if index == 0:
            with transaction.atomic():  # the import's transaction, still working on a long file
                report = consumption_import_csv(text=csv_text)
                import_holds_its_locks.set()
                time.sleep(1.0)
            return ("imported", report.created)
        assert import_holds_its_locks.wait(timeout=30)
        request, _created = invoice_request_submit(
            actor=customer,
            customer_account=account,
            vendor=vendor,
            amount=Decimal("5.00"),
            title=account.titles.get(is_default=True),
            address=account.addresses.get(is_default=True),
        )
        return ("submitted", str(request.amount))

    results = run_together(job, 2)

    assert results == [("imported", 1), ("submitted", "5.00")]
    balance = VendorBalance.objects.get(customer_account=account, vendor=vendor)
    assert balance.consumed == Decimal("110.00") and balance.invoiced == Decimal("5.00")
    assert ConsumptionRecord.objects.filter(external_id="during-import-1").exists()
    assert InvoiceRequest.objects.filter(customer_account=account).count() == 1
