"""Staff API: calendar overrides through the calendar services, and the vendors' SLA figures."""

import datetime as dt

import pytest

from apps.core.models import CalendarOverride
from apps.invoices import tasks
from tests.helpers import assert_error, fresh

pytestmark = pytest.mark.django_db

OVERRIDES = "/api/v1/staff/calendar-overrides/"
SLA = "/api/v1/staff/sla/"


@pytest.fixture
def recompute(monkeypatch) -> list[int]:
    years: list[int] = []

    def run(args=None, kwargs=None, **options):
        years.append(args[0])
        tasks.due_dates_recompute_task.run(*args)

    monkeypatch.setattr(tasks.due_dates_recompute_task, "apply_async", run)
    return years


def test_create_list_retrieve_update_delete(staff_api, recompute, django_capture_on_commit_callbacks):
    # Create
    with django_capture_on_commit_callbacks(execute=True):
        created = staff_api.post(OVERRIDES, {"date": "2027-02-14", "kind": "working_day", "note": "春节调休"})
    assert created.status_code == 201, created.json()
    body = created.json()
    assert {key: body[key] for key in ("date", "kind", "note")} == {
        "date": "2027-02-14",
        "kind": "working_day",
        "note": "春节调休",
    }
    assert body["kind_display"] == "Working day (make-up day)"
    url = f"{OVERRIDES}{body['id']}/"

    # List by year, retrieve
    staff_api.post(OVERRIDES, {"date": "2028-01-01", "kind": "holiday"})
    listed = staff_api.get(OVERRIDES, {"year": 2027}).json()
    assert [row["date"] for row in listed["results"]] == ["2027-02-14"]
    assert staff_api.get(url).json()["note"] == "春节调休"

    # Partial update keeps what is not sent
    with django_capture_on_commit_callbacks(execute=True):
        patched = staff_api.patch(url, {"kind": "holiday"})
    assert (patched.json()["kind"], patched.json()["note"]) == ("holiday", "春节调休")

    # Delete
    with django_capture_on_commit_callbacks(execute=True):
        assert staff_api.delete(url).status_code == 204
    assert not CalendarOverride.objects.filter(pk=body["id"]).exists()
    # Every change of 2027 queued its recompute after the commit
    assert recompute == [2027, 2027, 2027]


def test_the_recompute_makes_a_provisional_due_date_final(
    staff_api, consumed, vendor, submit, recompute, django_capture_on_commit_callbacks
):
    request = submit(consumed, vendor, now=dt.datetime(2026, 12, 28, 2, 0, tzinfo=dt.UTC))
    assert request.dispatch_due_date_provisional

    with django_capture_on_commit_callbacks(execute=True):
        staff_api.post(OVERRIDES, {"date": "2027-01-01", "kind": "holiday", "note": "元旦"})

    assert not fresh(request).dispatch_due_date_provisional


def test_errors_have_the_usual_shape(staff_api, staff_user):
    assert_error(staff_api.post(OVERRIDES, {"date": "2027-02-30", "kind": "holiday"}), 400, "invalid")
    body = assert_error(
        staff_api.post(OVERRIDES, {"date": "1999-01-01", "kind": "holiday"}), 400, "invalid_calendar_override"
    )
    assert body["fields"] == {"date": ["Enter a date between 2000 and 2099."]}
    assert_error(staff_api.get(OVERRIDES, {"year": "twenty"}), 400, "invalid_year")
    assert_error(staff_api.get(f"{OVERRIDES}999999/"), 404, "not_found")
    assert_error(staff_api.delete(f"{OVERRIDES}999999/"), 404, "not_found")


def test_saving_a_date_twice_updates_it(staff_api):
    staff_api.post(OVERRIDES, {"date": "2027-05-01", "kind": "working_day"})
    staff_api.post(OVERRIDES, {"date": "2027-05-01", "kind": "holiday", "note": "劳动节"})
    assert list(CalendarOverride.objects.values_list("kind", "note")) == [("holiday", "劳动节")]


def test_sla_figures_per_vendor(staff_api, vendor, other_vendor):
    response = staff_api.get(SLA, {"days": 90, "sort": "vendor"})

    assert response.status_code == 200
    rows = response.json()
    assert [row["vendor_id"] for row in rows] == [v.pk for v in sorted([vendor, other_vendor], key=lambda v: v.name)]
    assert set(rows[0]) == {"vendor_id", "vendor_name", "due", "on_time", "late", "breaches", "on_time_rate"}


def test_sla_refuses_unknown_parameters(staff_api):
    body = assert_error(staff_api.get(SLA, {"days": 7, "sort": "price"}), 400, "invalid_query")
    assert set(body["fields"]) == {"days", "sort"}
