"""Applying for invoices through the API: create, list with filters, detail with timeline, cancel, scoping."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from apps.billing.models import VendorBalance
from apps.invoices.models import InvoiceRequest
from tests.factories import InvoiceTitleFactory, consume
from tests.helpers import assert_error, reach_status, submit

URL = "/api/v1/invoice-requests/"
SHANGHAI = ZoneInfo("Asia/Shanghai")
# A Thursday in a month without public holidays: 10 working days later is Thursday 2025-03-20.
SUBMITTED_AT = dt.datetime(2025, 3, 6, 14, 0, tzinfo=SHANGHAI)

LIST_FIELDS = {
    "id",
    "number",
    "status",
    "status_display",
    "status_reason",
    "can_cancel",
    "amount",
    "invoice_type",
    "invoice_type_display",
    "shipping_rule",
    "shipping_rule_display",
    "dispatch_due_date",
    "dispatch_due_date_provisional",
    "working_days_left",
    "is_overdue",
    "submitted_at",
    "vendor",
    "vendor_name",
    "vendor_contact_phone",
    "vendor_contact_email",
    "vendor_service_hours",
    "title_snapshot",
    "address_snapshot",
    "rejection_reason",
    "invoice_numbers",
    "invoice_date",
    "courier",
    "courier_label",
    "tracking_number",
    "shipping_payer",
    "shipping_payer_display",
    "mailed_at",
}


def application(customer, vendor, amount="100.00", **extra) -> dict:
    account = customer.customer_account
    return {
        "vendor": vendor.pk,
        "amount": amount,
        "title": account.titles.get(is_default=True).pk,
        "address": account.addresses.get(is_default=True).pk,
        **extra,
    }


def invoiceable(client, vendor) -> str:
    return next(row["invoiceable"] for row in client.get("/api/v1/invoiceable/").json() if row["vendor"] == vendor.pk)


def event_time(event) -> str:
    return timezone.localtime(event.created_at).isoformat()


def set_status(request: InvoiceRequest, status: str) -> None:
    # The way the vendor would: accept (and mail) through the services.
    reach_status(request, status)


@pytest.fixture
def frozen_now(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: SUBMITTED_AT)
    return SUBMITTED_AT


# --- create ---------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_create_answers_201_with_the_request_its_snapshots_and_timeline(client_for, consumed, vendor, frozen_now):
    # given
    customer = consumed
    title = customer.customer_account.titles.get()
    address = customer.customer_account.addresses.get()
    # when
    response = client_for(customer).post(URL, application(customer, vendor, "100.5"), format="json")
    # then
    assert response.status_code == 201
    request = InvoiceRequest.objects.get()
    assert response.json() == {
        "id": request.pk,
        "number": f"IR20250306{request.pk:06d}",
        "status": "pending",
        "status_display": "Pending",
        "status_reason": "",
        "can_cancel": True,
        "amount": "100.50",
        "invoice_type": "general",
        "invoice_type_display": "VAT general invoice (paper)",
        "shipping_rule": "vendor_pays",
        "shipping_rule_display": "Vendor pays shipping",
        "dispatch_due_date": "2025-03-20",
        "dispatch_due_date_provisional": False,
        "working_days_left": 10,
        "is_overdue": False,
        "submitted_at": "2025-03-06T14:00:00+08:00",
        "vendor": vendor.pk,
        "vendor_name": vendor.name,
        "vendor_contact_phone": "400-800-0000",
        "vendor_contact_email": vendor.contact_email,
        "vendor_service_hours": "工作日 09:00–18:00",
        "title_snapshot": {
            "kind": "company",
            "name": title.name,
            "taxpayer_id": "91110000600037341L",
            "taxpayer_id_verified": True,
            "registered_address": "北京市海淀区中关村大街 1 号",
            "registered_phone": "010-88886666",
            "bank_name": "中国工商银行北京分行",
            "bank_account": "0200000000000000000",
        },
        "address_snapshot": {
            "recipient": "王五",
            "phone": "13800138000",
            "province": "北京市",
            "city": "北京市",
            "district": "海淀区",
            "street": "中关村大街 1 号",
            "postal_code": "100080",
        },
        # nothing mailed yet, nothing rejected
        "rejection_reason": None,
        "invoice_numbers": [],
        "invoice_date": None,
        "courier": "",
        "courier_label": "",
        "tracking_number": "",
        "shipping_payer": "",
        "shipping_payer_display": "",
        "mailed_at": None,
        "events": [
            {
                "time": event_time(request.events.get()),
                "actor": customer.display_name,
                "kind": "status_changed",
                "kind_display": "Status changed",
                "from_status": "",
                "from_status_display": "",
                "to_status": "pending",
                "to_status_display": "Pending",
                "reason": "",
            }
        ],
    }
    assert (request.title_id, request.address_id, request.submitted_by) == (title.pk, address.pk, customer)


@pytest.mark.django_db
def test_create_takes_the_amount_out_of_the_invoiceable_amount(client_for, consumed, vendor):
    client = client_for(consumed)
    assert client.post(URL, application(consumed, vendor, "300.00"), format="json").status_code == 201
    assert invoiceable(client, vendor) == "700.00"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("amount", "stored", "shipping_rule"),
    [
        ("49.99", "49.99", "cod_allowed"),
        ("50.00", "50.00", "vendor_pays"),
        (50, "50.00", "vendor_pays"),
        (12.3, "12.30", "cod_allowed"),
        ("1.230", "1.23", "cod_allowed"),
        ("1000.00", "1000.00", "vendor_pays"),
        ("0.01", "0.01", "cod_allowed"),
    ],
)
def test_amount_may_be_a_string_or_a_number_and_sets_the_shipping_rule(
    client_for, consumed, vendor, amount, stored, shipping_rule
):
    response = client_for(consumed).post(URL, application(consumed, vendor, amount), format="json")
    assert response.status_code == 201
    assert (response.json()["amount"], response.json()["shipping_rule"]) == (stored, shipping_rule)
    assert InvoiceRequest.objects.get().amount == Decimal(stored)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("amount", "code", "message"),
    [
        ("0", "invalid_amount", "The amount must be at least 0.01."),
        (0, "invalid_amount", "The amount must be at least 0.01."),
        ("-5.00", "invalid_amount", "The amount must be at least 0.01."),
        ("0.001", "invalid_amount", "An amount has at most two decimal places."),
        (0.001, "invalid_amount", "An amount has at most two decimal places."),
        ("1.234", "invalid_amount", "An amount has at most two decimal places."),
        (1.234, "invalid_amount", "An amount has at most two decimal places."),
        ("abc", "invalid_amount", "Enter an amount such as 100.00."),
        (
            "1000.01",
            "amount_exceeds_invoiceable",
            "The amount is more than you can invoice with this vendor: at most ¥1,000.00.",
        ),
    ],
)
def test_amount_is_refused_with_a_field_error(client_for, consumed, vendor, amount, code, message):
    response = client_for(consumed).post(URL, application(consumed, vendor, amount), format="json")
    assert_error(response, 400, code, message, {"amount": [message]})
    assert not InvoiceRequest.objects.exists()
    assert VendorBalance.objects.get(vendor=vendor).invoiced == Decimal("0.00")


@pytest.mark.django_db
def test_amount_over_what_is_left_after_earlier_requests_is_refused(client_for, consumed, vendor):
    client = client_for(consumed)
    submit(consumed, vendor, "999.00")
    response = client.post(URL, application(consumed, vendor, "1.01"), format="json")
    message = "The amount is more than you can invoice with this vendor: at most ¥1.00."
    assert_error(response, 400, "amount_exceeds_invoiceable", message, {"amount": [message]})


@pytest.mark.django_db
def test_amount_that_is_neither_string_nor_number_is_refused(client_for, consumed, vendor):
    response = client_for(consumed).post(URL, application(consumed, vendor, True), format="json")
    assert_error(
        response,
        400,
        "invalid",
        "Please correct the fields marked below.",
        {"amount": ["Enter an amount such as 100.00."]},
    )


@pytest.mark.django_db
def test_create_names_every_missing_field(client_for, consumed):
    response = client_for(consumed).post(URL, {}, format="json")
    required = ["This field is required."]
    assert_error(
        response,
        400,
        "invalid",
        "Please correct the fields marked below.",
        {"vendor": required, "amount": required, "title": required, "address": required},
    )


@pytest.mark.django_db
def test_another_accounts_title_and_address_cannot_be_used(client_for, consumed, other_customer, vendor):
    other = other_customer.customer_account
    payload = application(consumed, vendor, title=other.titles.get().pk, address=other.addresses.get().pk)
    response = client_for(consumed).post(URL, payload, format="json")
    assert_error(
        response,
        400,
        "invalid_application",
        "Choose one of your invoice titles.",
        {"title": ["Choose one of your invoice titles."], "address": ["Choose one of your mailing addresses."]},
    )


@pytest.mark.django_db
def test_an_unknown_vendor_is_refused(client_for, consumed, vendor):
    response = client_for(consumed).post(URL, {**application(consumed, vendor), "vendor": 987654}, format="json")
    assert_error(
        response,
        400,
        "invalid_application",
        "Choose a vendor you consumed with.",
        {"vendor": ["Choose a vendor you consumed with."]},
    )


@pytest.mark.django_db
def test_nothing_left_to_invoice_is_refused(client_for, consumed, vendor):
    submit(consumed, vendor, "1000.00")
    response = client_for(consumed).post(URL, application(consumed, vendor, "0.01"), format="json")
    message = "The amount is more than you can invoice with this vendor: at most ¥0.00."
    assert_error(response, 400, "amount_exceeds_invoiceable", message, {"amount": [message]})


@pytest.mark.django_db
def test_invoice_type_must_be_one_the_vendor_issues(client_for, consumed, vendor):
    vendor.supported_invoice_types = ["general"]
    vendor.save()
    response = client_for(consumed).post(URL, application(consumed, vendor, invoice_type="special"), format="json")
    message = f"{vendor.name} issues only: VAT general invoice (paper)."
    assert_error(response, 400, "invalid_application", message, {"invoice_type": [message]})


@pytest.mark.django_db
def test_special_invoice_for_a_complete_company_title_but_not_for_an_individual(client_for, consumed, vendor):
    client = client_for(consumed)
    response = client.post(URL, application(consumed, vendor, invoice_type="special"), format="json")
    assert response.status_code == 201
    assert (response.json()["invoice_type"], response.json()["invoice_type_display"]) == (
        "special",
        "VAT special invoice (paper)",
    )
    person = InvoiceTitleFactory(customer_account=consumed.customer_account, kind="individual", taxpayer_id="")
    response = client.post(URL, application(consumed, vendor, invoice_type="special", title=person.pk), format="json")
    message = "An individual title can only receive a general invoice."
    assert_error(response, 400, "invalid_application", message, {"title": [message]})


@pytest.mark.django_db
def test_status_in_the_input_is_ignored(client_for, consumed, vendor):
    response = client_for(consumed).post(URL, application(consumed, vendor, status="mailing"), format="json")
    assert response.status_code == 201
    assert response.json()["status"] == "pending"
    assert InvoiceRequest.objects.get().status == "pending"


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_a_request_cannot_be_edited_or_deleted(client_for, consumed, vendor, method):
    request = submit(consumed, vendor)
    response = getattr(client_for(consumed), method)(f"{URL}{request.pk}/", {"status": "voided"}, format="json")
    assert_error(response, 405, "method_not_allowed", f'Method "{method.upper()}" not allowed.', {})
    assert InvoiceRequest.objects.get(pk=request.pk).status == "pending"


# --- idempotency ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_repeated_idempotency_key_answers_200_with_the_first_request(client_for, consumed, vendor):
    client = client_for(consumed)
    first = client.post(URL, application(consumed, vendor, "100.00"), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post(URL, application(consumed, vendor, "100.00"), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert InvoiceRequest.objects.count() == 1
    assert invoiceable(client, vendor) == "900.00"


@pytest.mark.django_db
def test_a_repeated_idempotency_key_with_another_body_is_refused(client_for, consumed, vendor):
    client = client_for(consumed)
    first = client.post(URL, application(consumed, vendor, "100.00"), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    # when the same key comes with another amount
    again = client.post(URL, application(consumed, vendor, "5.00"), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    # then it is refused, naming the first application, and nothing new is recorded
    body = assert_error(again, 409, "idempotency_key_reused", fields={})
    assert first.json()["number"] in body["message"]
    assert InvoiceRequest.objects.filter(customer_account=consumed.customer_account).count() == 1
    # and the same body again still answers the first request
    same = client.post(URL, application(consumed, vendor, "100.00"), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert (same.status_code, same.json()["id"]) == (200, first.json()["id"])


@pytest.mark.django_db
def test_an_idempotency_key_over_64_characters_is_refused_not_cut(client_for, consumed, vendor):
    client = client_for(consumed)
    # given a request made with a 64-character key
    first = client.post(URL, application(consumed, vendor), format="json", HTTP_IDEMPOTENCY_KEY="k" * 64)
    assert first.status_code == 201
    # when a 65-character key starting with it is sent
    response = client.post(URL, application(consumed, vendor), format="json", HTTP_IDEMPOTENCY_KEY="k" * 65)
    # then it is refused, not cut to the first key (which would have answered the first request)
    assert_error(
        response,
        400,
        "invalid_idempotency_key",
        "An idempotency key has at most 64 characters.",
        {"idempotency_key": ["An idempotency key has at most 64 characters."]},
    )
    assert InvoiceRequest.objects.filter(customer_account=consumed.customer_account).count() == 1


@pytest.mark.django_db
def test_different_keys_and_no_key_create_separate_requests(client_for, consumed, vendor):
    client = client_for(consumed)
    statuses = [
        client.post(URL, application(consumed, vendor), format="json", HTTP_IDEMPOTENCY_KEY="k-1").status_code,
        client.post(URL, application(consumed, vendor), format="json", HTTP_IDEMPOTENCY_KEY="k-2").status_code,
        client.post(URL, application(consumed, vendor), format="json").status_code,
        client.post(URL, application(consumed, vendor), format="json").status_code,
    ]
    assert statuses == [201, 201, 201, 201]
    assert invoiceable(client, vendor) == "600.00"


@pytest.mark.django_db
def test_idempotency_keys_belong_to_one_account(client_for, consumed, other_customer, vendor):
    consume(customer_account=other_customer.customer_account, vendor=vendor, amount="100.00")
    mine = client_for(consumed).post(URL, application(consumed, vendor), format="json", HTTP_IDEMPOTENCY_KEY="k")
    theirs = client_for(other_customer).post(
        URL, application(other_customer, vendor), format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.json()["id"] != theirs.json()["id"]


@pytest.mark.django_db
def test_a_failed_submission_does_not_use_up_its_idempotency_key(client_for, consumed, vendor):
    client = client_for(consumed)
    failed = client.post(URL, application(consumed, vendor, "5000.00"), format="json", HTTP_IDEMPOTENCY_KEY="k")
    retried = client.post(URL, application(consumed, vendor, "500.00"), format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert (failed.status_code, retried.status_code) == (400, 201)
    assert retried.json()["amount"] == "500.00"


# --- list -----------------------------------------------------------------------------------------------------


@pytest.fixture
def three_requests(consumed, vendor, other_vendor):
    """customer1's requests: oldest with vendor (cancelled), then other_vendor, then vendor (newest)."""
    consume(customer_account=consumed.customer_account, vendor=other_vendor, amount="500.00")
    times = [
        dt.datetime(2025, 3, 1, 9, 0, tzinfo=SHANGHAI),
        dt.datetime(2025, 3, 6, 0, 30, tzinfo=SHANGHAI),  # still 2025-03-05 in UTC
        dt.datetime(2025, 3, 10, 23, 59, tzinfo=SHANGHAI),
    ]
    requests = [submit(consumed, vendor, "10.00"), submit(consumed, other_vendor, "20.00"), submit(consumed, vendor)]
    for request, submitted_at in zip(requests, times, strict=True):
        InvoiceRequest.objects.filter(pk=request.pk).update(submitted_at=submitted_at)
    set_status(requests[0], "cancelled")
    return requests


def ids(response) -> list[int]:
    return [row["id"] for row in response.json()["results"]]


@pytest.mark.django_db
def test_list_is_paginated_newest_first_and_shows_only_the_accounts_requests(
    client_for, consumed, other_customer, vendor, three_requests
):
    # given a request of another account
    consume(customer_account=other_customer.customer_account, vendor=vendor, amount="10.00")
    submit(other_customer, vendor, "10.00")
    oldest, middle, newest = three_requests
    # when
    response = client_for(consumed).get(URL)
    # then
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["next"], body["previous"]) == (3, None, None)
    assert ids(response) == [newest.pk, middle.pk, oldest.pk]
    assert set(body["results"][0]) == LIST_FIELDS
    row = body["results"][1]
    assert (row["status"], row["amount"], row["vendor_name"], row["submitted_at"]) == (
        "pending",
        "20.00",
        middle.vendor.name,
        "2025-03-06T00:30:00+08:00",
    )
    assert body["results"][2]["status_display"] == "Cancelled"


@pytest.mark.django_db
def test_list_pages(client_for, consumed, three_requests):
    oldest, middle, newest = three_requests
    response = client_for(consumed).get(URL, {"page_size": 2})
    assert ids(response) == [newest.pk, middle.pk]
    assert response.json()["next"] == "http://testserver/api/v1/invoice-requests/?page=2&page_size=2"
    response = client_for(consumed).get(URL, {"page_size": 2, "page": 2})
    assert ids(response) == [oldest.pk]
    assert_error(client_for(consumed).get(URL, {"page": 9}), 404, "not_found", "Invalid page.", {})


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "pending"}, ["newest", "middle"]),
        ({"status": "cancelled"}, ["oldest"]),
        ({"status": "mailing"}, []),
        ({"vendor": "other_vendor"}, ["middle"]),
        ({"vendor": "vendor", "status": "pending"}, ["newest"]),
        ({"submitted_from": "2025-03-06"}, ["newest", "middle"]),
        ({"submitted_to": "2025-03-05"}, ["oldest"]),
        ({"submitted_from": "2025-03-06", "submitted_to": "2025-03-06"}, ["middle"]),
        ({"submitted_from": "2025-03-10", "submitted_to": "2025-03-10"}, ["newest"]),
        ({"status": "", "vendor": "", "submitted_from": "", "submitted_to": ""}, ["newest", "middle", "oldest"]),
    ],
)
def test_list_filters(client_for, consumed, vendor, other_vendor, three_requests, params, expected):
    named = dict(zip(["oldest", "middle", "newest"], three_requests, strict=True))
    vendors = {"vendor": vendor.pk, "other_vendor": other_vendor.pk}
    query = {key: vendors.get(value, value) if key == "vendor" else value for key, value in params.items()}
    response = client_for(consumed).get(URL, query)
    assert response.status_code == 200
    assert ids(response) == [named[name].pk for name in expected]


@pytest.mark.django_db
def test_list_refuses_invalid_filter_values(client_for, consumed):
    response = client_for(consumed).get(
        URL, {"status": "lost", "vendor": "abc", "submitted_from": "2025/03/01", "submitted_to": "2025-02-30"}
    )
    wrong_date = ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]
    assert_error(
        response,
        400,
        "invalid",
        "Please correct the fields marked below.",
        {
            "status": ['"lost" is not a valid choice.'],
            "vendor": ["Enter the id as a whole number, such as 12."],
            "submitted_from": wrong_date,
            "submitted_to": wrong_date,
        },
    )


# --- retrieve -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_retrieve_shows_the_timeline_with_who_and_why(client_for, consumed, vendor):
    # given a request that was submitted and then cancelled
    client = client_for(consumed)
    request = submit(consumed, vendor)
    client.post(f"{URL}{request.pk}/cancel/", {"reason": "抬头填错了"}, format="json")
    submitted, cancelled = request.events.order_by("id")
    # when
    response = client.get(f"{URL}{request.pk}/")
    # then
    assert response.status_code == 200
    body = response.json()
    assert set(body) == LIST_FIELDS | {"events"}
    assert (body["id"], body["status"], body["status_reason"]) == (request.pk, "cancelled", "抬头填错了")
    assert body["events"] == [
        {
            "time": event_time(submitted),
            "actor": consumed.display_name,
            "kind": "status_changed",
            "kind_display": "Status changed",
            "from_status": "",
            "from_status_display": "",
            "to_status": "pending",
            "to_status_display": "Pending",
            "reason": "",
        },
        {
            "time": event_time(cancelled),
            "actor": consumed.display_name,
            "kind": "status_changed",
            "kind_display": "Status changed",
            "from_status": "pending",
            "from_status_display": "Pending",
            "to_status": "cancelled",
            "to_status_display": "Cancelled",
            "reason": "抬头填错了",
        },
    ]


@pytest.mark.django_db
def test_an_event_without_an_actor_shows_null(client_for, consumed, vendor):
    request = submit(consumed, vendor)
    request.events.update(actor=None)
    body = client_for(consumed).get(f"{URL}{request.pk}/").json()
    assert body["events"][0]["actor"] is None


# --- cancel ---------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_cancel_a_pending_request_frees_its_amount(client_for, consumed, vendor):
    # given
    client = client_for(consumed)
    request = submit(consumed, vendor, "300.00")
    assert invoiceable(client, vendor) == "700.00"
    # when
    response = client.post(f"{URL}{request.pk}/cancel/", {"reason": "不需要了"}, format="json")
    # then
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["status"], body["status_display"], body["status_reason"], body["can_cancel"]) == (
        request.pk,
        "cancelled",
        "Cancelled",
        "不需要了",
        False,
    )
    assert [event["to_status"] for event in body["events"]] == ["pending", "cancelled"]
    assert InvoiceRequest.objects.get(pk=request.pk).status == "cancelled"
    assert invoiceable(client, vendor) == "1000.00"


@pytest.mark.django_db
def test_cancel_reason_has_the_pages_length_limit(client_for, consumed, vendor):
    # given a pending request
    request = submit(consumed, vendor, "300.00")
    # when it is cancelled with a reason of 501 characters
    response = client_for(consumed).post(f"{URL}{request.pk}/cancel/", {"reason": "错" * 501}, format="json")
    # then the reason is refused next to its field and the request is still pending
    message = "At most 500 characters."
    assert_error(response, 400, "invalid_reason", message, {"reason": [message]})
    assert InvoiceRequest.objects.get(pk=request.pk).status == "pending"


@pytest.mark.django_db
def test_cancel_without_a_body_records_no_reason(client_for, consumed, vendor):
    request = submit(consumed, vendor)
    response = client_for(consumed).post(f"{URL}{request.pk}/cancel/")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["events"][-1]["reason"]) == ("cancelled", "")


@pytest.mark.django_db
@pytest.mark.parametrize(("status", "label"), [("processing", "Processing"), ("mailing", "Mailing")])
def test_cancel_of_a_request_the_vendor_is_working_on_answers_409_with_the_vendors_contact(
    client_for, consumed, vendor, status, label
):
    # given
    client = client_for(consumed)
    request = submit(consumed, vendor, "300.00")
    set_status(request, status)
    # when
    response = client.post(f"{URL}{request.pk}/cancel/", format="json")
    # then
    assert_error(
        response,
        409,
        "cannot_cancel",
        f"This request is {label}, so it can no longer be cancelled here. To have the invoice reissued or returned, "
        f"contact {vendor.name}: 400-800-0000 / {vendor.contact_email}.",
        {},
    )
    assert InvoiceRequest.objects.get(pk=request.pk).status == status
    assert invoiceable(client, vendor) == "700.00"


@pytest.mark.django_db
def test_cancel_twice_answers_409(client_for, consumed, vendor):
    client = client_for(consumed)
    request = submit(consumed, vendor, "300.00")
    assert client.post(f"{URL}{request.pk}/cancel/").status_code == 200
    response = client.post(f"{URL}{request.pk}/cancel/")
    assert_error(response, 409, "cannot_cancel", "Only a pending request can be cancelled; this one is Cancelled.", {})
    assert request.events.count() == 2
    assert invoiceable(client, vendor) == "1000.00"


@pytest.mark.django_db
def test_cancel_reason_must_be_text(client_for, consumed, vendor):
    request = submit(consumed, vendor)
    response = client_for(consumed).post(f"{URL}{request.pk}/cancel/", {"reason": ["a"]}, format="json")
    assert_error(
        response, 400, "invalid", "Please correct the fields marked below.", {"reason": ["Not a valid string."]}
    )
    assert InvoiceRequest.objects.get(pk=request.pk).status == "pending"


# --- scoping --------------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "suffix"), [("get", ""), ("post", "cancel/")])
def test_another_accounts_request_is_not_found(client_for, consumed, other_customer, vendor, method, suffix):
    # given customer1's pending request
    request = submit(consumed, vendor, "300.00")
    # when customer2 tries it
    response = getattr(client_for(other_customer), method)(f"{URL}{request.pk}/{suffix}")
    # then
    assert_error(response, 404, "not_found", "Not found.", {})
    assert InvoiceRequest.objects.get(pk=request.pk).status == "pending"
    assert invoiceable(client_for(consumed), vendor) == "700.00"
    assert client_for(other_customer).get(URL).json()["count"] == 0


@pytest.mark.django_db
def test_an_unknown_request_is_not_found(client_for, consumed):
    assert_error(client_for(consumed).get(f"{URL}999999/"), 404, "not_found", "Not found.", {})
    assert_error(client_for(consumed).post(f"{URL}abc/cancel/"), 404, "not_found", "Not found.", {})


# --- query counts ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_list_and_detail_take_a_fixed_number_of_queries(client_for, consumed, vendor, django_assert_max_num_queries):
    # given ten requests, one of them with a two-event timeline
    client = client_for(consumed)
    requests = [submit(consumed, vendor, "10.00") for _ in range(10)]
    client.post(f"{URL}{requests[0].pk}/cancel/")
    # then: token + account, count, page, invoice numbers
    with django_assert_max_num_queries(5):
        assert client.get(URL).json()["count"] == 10
    # token + account, request with vendor, invoice numbers, events with actors
    with django_assert_max_num_queries(5):
        assert len(client.get(f"{URL}{requests[0].pk}/").json()["events"]) == 2


@pytest.mark.django_db
def test_the_201_answer_is_the_request_as_reading_it_back_shows_it(client_for, consumed, vendor):
    # The create answer is serialized from what the service wrote, not read again: it must equal a fresh read.
    client = client_for(consumed)
    created = client.post(URL, application(consumed, vendor, "88.80"), format="json")
    assert created.status_code == 201
    read_back = client.get(f"{URL}{created.json()['id']}/")
    assert created.json() == read_back.json()
