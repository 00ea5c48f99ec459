"""The billing import API for staff: consumption records, idempotent per external_id."""

from decimal import Decimal

import pytest
from django.utils import timezone

from apps.billing.models import ConsumptionRecord, VendorBalance
from tests.helpers import assert_error

URL = "/api/v1/billing/consumption/"


@pytest.fixture
def record(customer, vendor) -> dict:
    return {
        "customer_account": customer.customer_account.pk,
        "vendor": vendor.pk,
        "amount": "128.50",
        "consumed_at": "2025-03-06T10:15:00+08:00",
        "external_id": "bill-2025-0001",
        "description": "云服务器 3 月",
    }


def consumed_with(customer, vendor) -> Decimal:
    return VendorBalance.objects.get(customer_account=customer.customer_account, vendor=vendor).consumed


@pytest.mark.django_db
def test_staff_records_consumption_and_it_becomes_invoiceable(client_for, staff_user, customer, vendor, record):
    # when
    response = client_for(staff_user).post(URL, record, format="json")
    # then
    assert response.status_code == 201
    saved = ConsumptionRecord.objects.get()
    assert response.json() == {**record, "id": saved.pk, "created_at": response.json()["created_at"]}
    assert response.json()["created_at"] == timezone.localtime(saved.created_at).isoformat()
    assert consumed_with(customer, vendor) == Decimal("128.50")
    (row,) = client_for(customer).get("/api/v1/invoiceable/").json()
    assert (row["vendor"], row["consumed"], row["invoiceable"]) == (vendor.pk, "128.50", "128.50")


@pytest.mark.django_db
def test_the_same_record_again_answers_200_and_counts_once(client_for, staff_user, customer, vendor, record):
    client = client_for(staff_user)
    first = client.post(URL, record, format="json")
    again = client.post(URL, {**record, "amount": 128.5}, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert ConsumptionRecord.objects.count() == 1
    assert consumed_with(customer, vendor) == Decimal("128.50")


@pytest.mark.django_db
@pytest.mark.parametrize("change", [{"amount": "128.51"}, {"vendor": "other"}, {"customer_account": "other"}])
def test_the_same_external_id_with_different_data_is_a_conflict(
    client_for, staff_user, customer, other_customer, vendor, other_vendor, record, change
):
    client = client_for(staff_user)
    assert client.post(URL, record, format="json").status_code == 201
    others = {"vendor": other_vendor.pk, "customer_account": other_customer.customer_account.pk}
    changed = {**record, **{key: others.get(key) if value == "other" else value for key, value in change.items()}}
    response = client.post(URL, changed, format="json")
    message = "External ID bill-2025-0001 was already recorded with a different account, vendor or amount."
    assert_error(response, 400, "external_id_conflict", message, {"external_id": [message]})
    assert ConsumptionRecord.objects.count() == 1
    assert consumed_with(customer, vendor) == Decimal("128.50")


@pytest.mark.django_db
def test_description_is_optional_and_a_time_without_offset_is_shanghai_time(client_for, staff_user, record):
    del record["description"]
    response = client_for(staff_user).post(URL, {**record, "consumed_at": "2025-03-06 10:15"}, format="json")
    assert response.status_code == 201
    assert (response.json()["description"], response.json()["consumed_at"]) == ("", "2025-03-06T10:15:00+08:00")
    assert ConsumptionRecord.objects.get().consumed_at.isoformat() == "2025-03-06T02:15:00+00:00"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "code", "fields"),
    [
        ({"amount": "0"}, "invalid_amount", {"amount": ["The amount must be at least 0.01."]}),
        ({"amount": "1.001"}, "invalid_amount", {"amount": ["An amount has at most two decimal places."]}),
        ({"amount": "lots"}, "invalid_amount", {"amount": ["Enter an amount such as 100.00."]}),
        (
            {"external_id": "  "},
            "external_id_required",
            {"external_id": ["Every consumption record needs an external ID."]},
        ),
        ({"external_id": "x" * 65}, "invalid", {"external_id": ["Ensure this field has no more than 64 characters."]}),
        (
            {"customer_account": 987654},
            "invalid",
            {"customer_account": ['Invalid pk "987654" - object does not exist.']},
        ),
        ({"vendor": "abc"}, "invalid", {"vendor": ["Enter the id as a whole number, such as 12."]}),
        (
            {"consumed_at": "yesterday"},
            "invalid",
            {
                "consumed_at": [
                    "Datetime has wrong format. Use one of these formats instead: "
                    "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."
                ]
            },
        ),
    ],
)
def test_bad_records_are_refused_with_field_errors(
    client_for, staff_user, customer, vendor, record, change, code, fields
):
    response = client_for(staff_user).post(URL, {**record, **change}, format="json")
    assert_error(response, 400, code, fields=fields)
    assert not ConsumptionRecord.objects.exists()


@pytest.mark.django_db
def test_a_record_without_fields_names_them_all(client_for, staff_user):
    response = client_for(staff_user).post(URL, {}, format="json")
    required = ["This field is required."]
    assert_error(
        response,
        400,
        "invalid",
        "Please correct the fields marked below.",
        {
            "customer_account": required,
            "vendor": required,
            "amount": required,
            "consumed_at": required,
            "external_id": required,
        },
    )
