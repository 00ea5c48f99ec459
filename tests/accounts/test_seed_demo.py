from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from apps.accounts.models import CustomerAccount, User, Vendor
from apps.addresses.models import MailingAddress
from apps.billing.models import ConsumptionRecord, VendorBalance
from apps.billing.tasks import balances_reconcile_task
from apps.core.models import AuditLog
from apps.invoices.models import InvoiceEvent, InvoiceRequest
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
