"""The mail-by date's standing in the API: `working_days_left` and `is_overdue` on the real calendar, and
`dispatch_due_date_provisional`, for customers and vendors; the timeline's notes keep their kind."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from apps.invoices.models import InvoiceRequest
from apps.invoices.sla import sla_sweep
from tests.helpers import reach_status, submit

SHANGHAI = ZoneInfo("Asia/Shanghai")
URL = "/api/v1/invoice-requests/"
VENDOR_URL = "/api/v1/vendor/invoice-requests/"


class Clock:
    def __init__(self, now: dt.datetime):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock(dt.datetime(2025, 9, 12, 10, 0, tzinfo=SHANGHAI))  # Fri: due Fri 09-26
    monkeypatch.setattr(timezone, "now", clock)
    return clock


@pytest.fixture
def requests_around_national_day(clock, consumed, vendor):
    """On Tue 2025-09-30: one accepted request due 09-26 (3 working days late: Sun 09-28 was a make-up working
    day), one pending due Thu 10-09 (1 working day left: 10-01..10-08 off), one mailed."""
    late = reach_status(submit(consumed, vendor, "10.00"), "processing")
    soon = submit(consumed, vendor, "20.00")
    InvoiceRequest.objects.filter(pk=soon.pk).update(dispatch_due_date=dt.date(2025, 10, 9))
    mailed = reach_status(submit(consumed, vendor, "30.00"), "mailing")
    clock.now = dt.datetime(2025, 9, 30, 10, 0, tzinfo=SHANGHAI)
    return {"late": late, "soon": soon, "mailed": mailed}


@pytest.mark.django_db
def test_customer_requests_say_working_days_left_on_the_real_calendar(
    client_for, consumed, requests_around_national_day
):
    rows = {row["id"]: row for row in client_for(consumed).get(URL).json()["results"]}

    late, soon, mailed = (rows[requests_around_national_day[name].pk] for name in ("late", "soon", "mailed"))
    assert (late["working_days_left"], late["is_overdue"], late["dispatch_due_date"]) == (-3, True, "2025-09-26")
    assert (soon["working_days_left"], soon["is_overdue"]) == (1, False)
    assert (mailed["working_days_left"], mailed["is_overdue"]) == (None, False)
    assert {row["dispatch_due_date_provisional"] for row in rows.values()} == {False}


@pytest.mark.django_db
def test_customer_detail_has_the_same_fields(client_for, consumed, requests_around_national_day):
    late = requests_around_national_day["late"]

    body = client_for(consumed).get(f"{URL}{late.pk}/").json()

    assert (body["working_days_left"], body["is_overdue"], body["dispatch_due_date_provisional"]) == (-3, True, False)


@pytest.mark.django_db
def test_a_due_date_in_a_year_nobody_entered_is_provisional_for_customer_and_vendor(
    client_for, clock, consumed, vendor, vendor_user
):
    clock.now = dt.datetime(2026, 12, 28, 10, 0, tzinfo=SHANGHAI)
    request = submit(consumed, vendor, "10.00")

    customer_body = client_for(consumed).get(f"{URL}{request.pk}/").json()
    vendor_row = client_for(vendor_user).get(VENDOR_URL).json()["results"][0]

    assert (customer_body["dispatch_due_date"], customer_body["dispatch_due_date_provisional"]) == ("2027-01-12", True)
    assert customer_body["working_days_left"] == 10
    assert (vendor_row["id"], vendor_row["dispatch_due_date_provisional"]) == (request.pk, True)


@pytest.mark.django_db
def test_the_timeline_tells_a_breach_note_from_a_status_change(client_for, consumed, requests_around_national_day):
    late = requests_around_national_day["late"]
    sla_sweep(now=timezone.now())

    events = client_for(consumed).get(f"{URL}{late.pk}/").json()["events"]

    assert [event["kind"] for event in events] == ["status_changed", "status_changed", "breached"]
    assert events[-1]["from_status"] == events[-1]["to_status"] == "processing"


@pytest.mark.django_db
def test_the_customer_list_takes_the_same_queries_for_1_row_and_for_20(
    client_for, consumed, vendor, clock, django_assert_max_num_queries
):
    client = client_for(consumed)
    submit(consumed, vendor, "1.00")
    with django_assert_max_num_queries(100) as one_row:
        client.get(URL)
    for _ in range(19):
        submit(consumed, vendor, "1.00")

    with django_assert_max_num_queries(len(one_row.captured_queries)):
        assert len(client.get(URL, {"page_size": 20}).json()["results"]) == 20


@pytest.mark.django_db
def test_the_schema_documents_the_new_fields(client_for, consumed):
    schema = client_for(consumed).get("/api/schema/", {"format": "json"}).json()["components"]["schemas"]

    for name in ("InvoiceRequest", "InvoiceRequestDetail", "VendorInvoiceRequest"):
        properties = schema[name]["properties"]
        assert "official holiday schedule" in properties["dispatch_due_date_provisional"]["description"]
        assert "make-up working days" in properties["working_days_left"]["description"]
        assert properties["working_days_left"]["nullable"] is True
