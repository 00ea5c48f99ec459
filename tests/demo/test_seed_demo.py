from decimal import Decimal
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from apps.accounts.models import CustomerAccount, User, Vendor
from apps.addresses.models import MailingAddress
from apps.billing.models import ConsumptionRecord, VendorBalance
from apps.billing.tasks import balances_reconcile_task
from apps.core.models import AuditLog
from apps.invoices.models import InvoiceEvent, InvoiceRequest
from apps.invoices.services import invoice_request_accept
from apps.notifications.models import Notification
from apps.notifications.services import notifications_deliver
from apps.titles.models import InvoiceTitle

MODELS = [
    User,
    CustomerAccount,
    Vendor,
    ConsumptionRecord,
    VendorBalance,
    InvoiceTitle,
    MailingAddress,
    InvoiceRequest,
    InvoiceEvent,
    AuditLog,
]


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def _seed() -> None:
    call_command("seed_demo", stdout=StringIO())


@pytest.mark.django_db
def test_seed_demo_creates_the_demo_users_with_the_documented_password():
    # given an empty database
    # when the demo data is loaded
    _seed()
    # then the five demo users exist with their roles and the password demo12345
    users = {
        user.username: user
        for user in User.objects.filter(username__in=["customer1", "customer2", "vendor1", "vendor2", "staff1"])
    }
    assert set(users) == {"customer1", "customer2", "vendor1", "vendor2", "staff1"}
    for user in users.values():
        assert user.check_password("demo12345"), user.username
    assert users["customer1"].is_customer and users["customer2"].is_customer
    assert users["customer1"].customer_account != users["customer2"].customer_account
    assert users["vendor1"].is_vendor and users["vendor2"].is_vendor
    assert users["vendor1"].vendor != users["vendor2"].vendor
    assert users["staff1"].is_marketplace_staff and users["staff1"].is_staff


@pytest.mark.django_db
def test_seed_demo_gives_customer1_two_vendors_and_customer2_one():
    # given the demo data
    _seed()
    customer1 = User.objects.get(username="customer1")
    customer2 = User.objects.get(username="customer2")
    # when their balances are read
    vendors1 = set(
        VendorBalance.objects.filter(customer_account=customer1.customer_account, consumed__gt=0).values_list(
            "vendor", flat=True
        )
    )
    vendors2 = set(
        VendorBalance.objects.filter(customer_account=customer2.customer_account, consumed__gt=0).values_list(
            "vendor", flat=True
        )
    )
    # then customer1 consumed with both vendors and customer2 with one, each has a default title and address,
    # and there are requests to look at
    assert len(vendors1) == 2
    assert len(vendors2) == 1
    for customer in (customer1, customer2):
        assert customer.customer_account.titles.filter(is_default=True).count() == 1
        assert customer.customer_account.addresses.filter(is_default=True).count() == 1
        assert InvoiceRequest.objects.filter(customer_account=customer.customer_account).exists()
    assert InvoiceRequest.objects.filter(status="pending").exists()
    assert InvoiceRequest.objects.filter(status="cancelled").exists()
    # and every balance agrees with its requests
    assert balances_reconcile_task() == 0


@pytest.mark.django_db
def test_seed_demo_a_second_time_changes_nothing():
    # given the demo data loaded once
    _seed()
    before = _counts()
    invoiced_before = sorted(VendorBalance.objects.values_list("pk", "consumed", "invoiced"))
    # when it is loaded again
    _seed()
    # then no row was added and no balance moved
    assert _counts() == before
    assert sorted(VendorBalance.objects.values_list("pk", "consumed", "invoiced")) == invoiced_before
    assert sum(VendorBalance.objects.values_list("consumed", flat=True)) == Decimal("7230.50")


@pytest.mark.django_db
def test_seed_demo_customers_have_addresses_and_hear_of_the_vendors_actions(django_capture_on_commit_callbacks):
    # given the demo data
    _seed()
    customer1 = User.objects.get(username="customer1")
    customer2 = User.objects.get(username="customer2")
    vendor1 = User.objects.get(username="vendor1")
    # then both demo customers have an e-mail address
    assert (customer1.email, customer2.email) == ("customer1@example.com", "customer2@example.com")
    # and when vendor1 accepts customer1's pending request, the customer is e-mailed once the change commits
    pending = InvoiceRequest.objects.filter(vendor=vendor1.vendor, status="pending").first()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks() as callbacks:
        invoice_request_accept(actor=vendor1, vendor=vendor1.vendor, invoice_request_id=pending.pk)
    assert len(callbacks) == 1
    queued = Notification.objects.filter(invoice_request=pending, kind="accepted").values_list("pk", flat=True)
    notifications_deliver(ids=list(queued))  # what the worker runs for the task queued on commit
    assert [email.to for email in mail.outbox] == [["customer1@example.com"]]
    assert pending.number in mail.outbox[0].subject


@pytest.mark.django_db
def test_seed_demo_gives_an_earlier_demo_database_the_customers_addresses():
    # given demo data loaded before the customers had e-mail addresses
    _seed()
    User.objects.filter(username__in=["customer1", "customer2"]).update(email="")
    # when it is loaded again
    _seed()
    # then the customers have their addresses, and nothing else changed
    assert set(User.objects.filter(username__in=["customer1", "customer2"]).values_list("email", flat=True)) == {
        "customer1@example.com",
        "customer2@example.com",
    }
