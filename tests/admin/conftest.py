import pytest
from django.test import Client

from apps.invoices.services import invoice_request_submit
from tests.factories import StaffUserFactory


@pytest.fixture
def marketplace_admin(db):
    """Marketplace staff with access to the Django admin."""
    return StaffUserFactory(is_superuser=True)


@pytest.fixture
def staff_client(marketplace_admin):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(marketplace_admin)
    return client


@pytest.fixture
def submit():
    """Submit an invoice request through the real service, as a customer would."""

    def _submit(customer, vendor, amount="100.00"):
        account = customer.customer_account
        request, _created = invoice_request_submit(
            actor=customer,
            customer_account=account,
            vendor_id=vendor.pk,
            amount=amount,
            title_id=account.titles.get(is_default=True).pk,
            address_id=account.addresses.get(is_default=True).pk,
        )
        return request

    return _submit
