"""The staff consumption API under input a careless integration sends: edge-of-calendar times, control characters."""

import pytest

from apps.billing.models import ConsumptionRecord, VendorBalance
from tests.helpers import assert_error

URL = "/api/v1/billing/consumption/"
CONTROL_MESSAGE = (
    "Contains invisible control characters (for example a tab or line break copied with the text); please retype it."
)


@pytest.fixture
def record(customer, vendor) -> dict:
    return {
        "customer_account": customer.customer_account.pk,
        "vendor": vendor.pk,
        "amount": "10.00",
        "consumed_at": "2025-03-06T10:15:00+08:00",
        "external_id": "bill-edge-1",
        "description": "",
    }


@pytest.mark.django_db
@pytest.mark.parametrize("consumed_at", ["0001-01-01", "0001-01-01T00:00", "0001-01-01T07:59:59+08:00"])
def test_a_time_before_the_calendar_can_hold_it_is_a_field_error_not_a_500(client_for, staff_user, record, consumed_at):
    # when a consumption time at year 1 arrives without an offset (DRF's own check of it overflowed: a 500)
    response = client_for(staff_user).post(URL, {**record, "consumed_at": consumed_at}, format="json")
    # then it is refused next to its field and nothing is recorded
    assert_error(response, 400, "invalid", fields={"consumed_at": ["Datetime value out of range."]})
    assert not ConsumptionRecord.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"), [("external_id", "bill\x1f1"), ("external_id", "bill\x7f"), ("description", "云主机\x00")]
)
def test_control_characters_in_a_consumption_record_are_refused(client_for, staff_user, record, field, value):
    # when a record carries an invisible control character (a NUL used to fail in PostgreSQL: a 500)
    response = client_for(staff_user).post(URL, {**record, field: value}, format="json")
    # then that field is refused in the error shape and the balance is untouched
    body = response.json()
    assert response.status_code == 400, body
    assert set(body) == {"code", "message", "fields"}
    assert list(body["fields"]) == [field]
    assert not ConsumptionRecord.objects.exists()
    assert not VendorBalance.objects.filter(consumed__gt=0).exists()


@pytest.mark.django_db
def test_a_control_character_inside_the_description_names_the_rule(client_for, staff_user, record):
    response = client_for(staff_user).post(URL, {**record, "description": "a\x1fb"}, format="json")
    assert_error(response, 400, "invalid_characters", CONTROL_MESSAGE, {"description": [CONTROL_MESSAGE]})
