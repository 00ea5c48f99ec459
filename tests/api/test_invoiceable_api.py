"""The invoiceable amount per vendor, with the formula in this customer's numbers."""

from decimal import Decimal

import pytest

from apps.billing.models import VendorBalance
from tests.factories import consume
from tests.helpers import submit

URL = "/api/v1/invoiceable/"


@pytest.mark.django_db
def test_one_row_per_vendor_with_money_as_strings_and_the_formula(client_for, consumed, vendor, other_vendor):
    # given ¥1000.00 consumed with vendor (¥100.00 refunded, ¥250.00 applied for) and ¥80.5 with other_vendor
    customer = consumed
    account = customer.customer_account
    consume(customer_account=account, vendor=other_vendor, amount="80.5")
    VendorBalance.objects.filter(customer_account=account, vendor=vendor).update(refunded=Decimal("100.00"))
    submit(customer, vendor, "250.00")
    other_vendor.supported_invoice_types = ["general"]
    other_vendor.save()
    # when
    response = client_for(customer).get(URL)
    # then
    assert response.status_code == 200
    expected = [
        {
            "vendor": vendor.pk,
            "vendor_name": vendor.name,
            "vendor_contact_phone": "400-800-0000",
            "vendor_contact_email": vendor.contact_email,
            "vendor_service_hours": "工作日 09:00–18:00",
            "supported_invoice_types": ["general", "special"],
            "consumed": "1000.00",
            "refunded": "100.00",
            "invoiced": "250.00",
            "invoiceable": "650.00",
            "formula": "Invoiceable ¥650.00 = consumed ¥1,000.00 − refunded ¥100.00 − "
            "applied for (pending, processing, mailing) ¥250.00",
        },
        {
            "vendor": other_vendor.pk,
            "vendor_name": other_vendor.name,
            "vendor_contact_phone": "400-800-0000",
            "vendor_contact_email": other_vendor.contact_email,
            "vendor_service_hours": "工作日 09:00–18:00",
            "supported_invoice_types": ["general"],
            "consumed": "80.50",
            "refunded": "0.00",
            "invoiced": "0.00",
            "invoiceable": "80.50",
            "formula": "Invoiceable ¥80.50 = consumed ¥80.50 − refunded ¥0.00 − "
            "applied for (pending, processing, mailing) ¥0.00",
        },
    ]
    assert response.json() == sorted(expected, key=lambda row: row["vendor_name"])


@pytest.mark.django_db
def test_only_the_customers_own_vendors_are_listed(client_for, consumed, other_customer, vendor, other_vendor):
    # given other_customer consumed only with other_vendor
    consume(customer_account=other_customer.customer_account, vendor=other_vendor, amount="30.00")
    # when
    rows = client_for(other_customer).get(URL).json()
    # then
    assert [(row["vendor"], row["invoiceable"]) for row in rows] == [(other_vendor.pk, "30.00")]


@pytest.mark.django_db
def test_a_customer_without_consumption_gets_an_empty_list(client_for, customer):
    response = client_for(customer).get(URL)
    assert response.status_code == 200
    assert response.json() == []


@pytest.mark.django_db
def test_invoice_debt_shows_as_zero_invoiceable(client_for, consumed, vendor):
    # given ¥900.00 applied for, then ¥500.00 refunded: invoiced is above consumed - refunded
    customer = consumed
    submit(customer, vendor, "900.00")
    VendorBalance.objects.filter(customer_account=customer.customer_account, vendor=vendor).update(
        refunded=Decimal("500.00")
    )
    # when
    (row,) = client_for(customer).get(URL).json()
    # then
    assert (row["invoiced"], row["invoiceable"]) == ("900.00", "0.00")
    assert row["formula"] == (
        "Invoiceable ¥0.00 = consumed ¥1,000.00 − refunded ¥500.00 − applied for (pending, processing, mailing) ¥900.00"
    )
