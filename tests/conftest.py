import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import (
    CustomerUserFactory,
    InvoiceTitleFactory,
    MailingAddressFactory,
    StaffUserFactory,
    VendorFactory,
    VendorUserFactory,
    consume,
)


@pytest.fixture
def vendor(db):
    return VendorFactory()


@pytest.fixture
def other_vendor(db):
    return VendorFactory()


@pytest.fixture
def customer(db):
    """A customer user with a default company title and a default address."""
    user = CustomerUserFactory()
    InvoiceTitleFactory(customer_account=user.customer_account, is_default=True)
    MailingAddressFactory(customer_account=user.customer_account, is_default=True)
    return user


@pytest.fixture
def other_customer(db):
    user = CustomerUserFactory()
    InvoiceTitleFactory(customer_account=user.customer_account, is_default=True)
    MailingAddressFactory(customer_account=user.customer_account, is_default=True)
    return user


@pytest.fixture
def vendor_user(db, vendor):
    return VendorUserFactory(vendor=vendor)


@pytest.fixture
def staff_user(db):
    return StaffUserFactory()


@pytest.fixture
def consumed(customer, vendor):
    """customer consumed ¥1000.00 with vendor."""
    consume(customer_account=customer.customer_account, vendor=vendor, amount="1000.00")
    return customer


def _api_client_for(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def api_client_for():
    return _api_client_for
