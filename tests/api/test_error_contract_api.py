"""The error contract: every /api/ answer that is not a success is `{"code", "message", "fields"}` with strings,
whatever went wrong: a hostile body, an unknown URL, a crash, a refused value."""

import json

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from apps.invoices.models import InvoiceRequest
from tests.helpers import ERROR_KEYS, assert_error, reach_status, submit

DEEP = 1_000


def nested(depth: int) -> str:
    """A JSON body nested `depth` levels deep, as an attacker would send it."""
    return '{"a":' * depth + "1" + "}" * depth


# --- 14: JSON nested ~1,000 levels deep ---------------------------------------------------------------------------

JSON_ENDPOINTS = [
    ("post", "/api/v1/auth/token/", None),
    ("post", "/api/v1/titles/", "customer"),
    ("post", "/api/v1/addresses/", "customer"),
    ("post", "/api/v1/invoice-requests/", "customer"),
    ("post", "/api/v1/vendor/invoice-requests/bulk-accept/", "vendor_user"),
    ("patch", "/api/v1/vendor/profile/", "vendor_user"),
    ("post", "/api/v1/billing/consumption/", "staff_user"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "url", "role"), JSON_ENDPOINTS)
@pytest.mark.parametrize("depth", [DEEP, 100_000])
def test_a_json_body_nested_too_deep_answers_400(request, api_client_for, method, url, role, depth):
    client = api_client_for(request.getfixturevalue(role) if role else None)
    response = getattr(client, method)(url, nested(depth), content_type="application/json")
    assert_error(response, 400, "json_too_deep", "The JSON body is nested too deeply (at most 32 levels).", {})


@pytest.mark.django_db
def test_a_deep_list_under_the_limit_of_the_interpreter_is_refused_too(vendor_api):
    # 900 levels parse in Python; they are still refused before any serializer walks them.
    body = '{"ids": ' + "[" * 900 + "]" * 900 + "}"
    response = vendor_api.post("/api/v1/vendor/invoice-requests/bulk-accept/", body, content_type="application/json")
    assert_error(response, 400, "json_too_deep")


@pytest.mark.django_db
def test_broken_json_answers_400_in_the_error_shape(customer_api):
    response = customer_api.post("/api/v1/titles/", '{"name": ', content_type="application/json")
    body = assert_error(response, 400, "parse_error", fields={})
    assert body["message"].startswith("JSON parse error")


# --- 10 and 19: unknown URLs, crashes, oversized bodies, anonymous schema ------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/no-such-thing/",
        "/api/nothing",
        "/api/v1/titles/abc/",
        "/api/v1/titles/1.5/",
        "/api/v1/invoice-requests/%EF%BC%91/",  # full-width 1
        "/api/v1/vendor/invoice-requests/x/accept/",
    ],
)
def test_unknown_and_non_numeric_api_urls_answer_a_json_404(customer_api, url):
    response = customer_api.get(url)
    assert response["Content-Type"] == "application/json"
    assert_error(response, 404, "not_found", "Not found.", {})


@pytest.mark.django_db
def test_a_huge_id_is_not_found_not_a_crash(customer_api):
    response = customer_api.get("/api/v1/titles/99999999999999999999999/")
    assert_error(response, 404, "not_found", fields={})


@pytest.mark.django_db
def test_an_unknown_api_url_answers_json_404_to_anonymous_callers_too():
    response = APIClient(HTTP_ACCEPT_LANGUAGE="zh-hans").get("/api/v1/no-such-thing/")
    assert_error(response, 404, "not_found", "未找到。", {})


@pytest.mark.django_db
def test_a_crash_in_an_api_view_answers_a_json_500(customer, monkeypatch):
    # given a view that fails for a reason nobody foresaw
    def broken(**kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr("apps.titles.api.views.titles_for_account", broken)
    client = APIClient(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(customer)
    # when
    response = client.get("/api/v1/titles/")
    # then the client gets the error shape, without any detail of the failure
    assert response["Content-Type"] == "application/json"
    body = assert_error(response, 500, "server_error", fields={})
    assert body["message"] == "Something went wrong on our side. Please try again later."
    assert "fire" not in response.content.decode()


@pytest.mark.django_db
@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=10_000)
def test_an_oversized_json_body_answers_400(customer_api):
    body = json.dumps({"name": "x" * 20_000})
    response = customer_api.post("/api/v1/titles/", body, content_type="application/json")
    assert_error(response, 400, "request_too_large", "The request body is too large.", {})


@pytest.mark.django_db
@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=10_000)
@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "multipart/form-data"])
def test_an_oversized_form_post_answers_400_in_the_error_shape(anonymous_client, customer, content_type):
    data = {"username": customer.username, "password": "x" * 20_000}
    if content_type == "multipart/form-data":
        response = anonymous_client.post("/api/v1/auth/token/", data, format="multipart")
    else:
        response = anonymous_client.post(
            "/api/v1/auth/token/", f"username={customer.username}&password={'x' * 20_000}", content_type=content_type
        )
    assert_error(response, 400, "request_too_large", fields={})


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/schema/", "/api/schema/?format=json", "/api/docs/", "/api/redoc/"])
def test_anonymous_schema_and_docs_requests_answer_401_in_the_error_shape(anonymous_client, url):
    response = anonymous_client.get(url)
    assert response["Content-Type"] == "application/json"
    assert_error(response, 401, "not_authenticated", "Authentication credentials were not provided.", {})
    assert response["WWW-Authenticate"] == "Token"


# --- 19: field errors are strings ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_bulk_accept_with_bad_ids_lists_readable_messages_per_item(vendor_api):
    response = vendor_api.post(
        "/api/v1/vendor/invoice-requests/bulk-accept/", {"ids": [0, "x", 5, "1_000"]}, format="json"
    )
    assert_error(
        response,
        400,
        "invalid",
        "Please correct the fields marked below.",
        {
            "ids": [
                "Item 1: Enter the id as a whole number, such as 12.",
                "Item 2: Enter the id as a whole number, such as 12.",
                "Item 4: Enter the id as a whole number, such as 12.",
            ]
        },
    )


@pytest.mark.django_db
def test_a_list_of_wrong_types_in_the_vendor_profile_is_told_per_item(vendor_api):
    response = vendor_api.patch("/api/v1/vendor/profile/", {"supported_invoice_types": ["general", {}]}, format="json")
    body = assert_error(response, 400, "invalid")
    assert body["fields"] == {"supported_invoice_types": ["Item 2: Not a valid string."]}


@pytest.mark.django_db
def test_every_field_error_is_a_list_of_strings(customer_api):
    response = customer_api.post(
        "/api/v1/invoice-requests/", {"vendor": [1], "amount": {"x": 1}, "title": None}, format="json"
    )
    body = assert_error(response, 400, "invalid")
    assert set(body["fields"]) == {"vendor", "amount", "title", "address"}
    for messages in body["fields"].values():
        assert messages and all(isinstance(message, str) and "ErrorDetail" not in message for message in messages)


# --- 18: ids and amounts are plain ASCII ----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("vendor_id", ["1_000", "١", "+5", "1e2", " 7", "0", -3, 2**63, True, 1.5])
def test_a_vendor_id_that_is_not_plain_digits_is_refused(customer_api, consumed, vendor_id):
    account = consumed.customer_account
    response = customer_api.post(
        "/api/v1/invoice-requests/",
        {
            "vendor": vendor_id,
            "amount": "10.00",
            "title": account.titles.get().pk,
            "address": account.addresses.get().pk,
        },
        format="json",
    )
    assert_error(response, 400, "invalid", fields={"vendor": ["Enter the id as a whole number, such as 12."]})
    assert not InvoiceRequest.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("amount", ["1e2", "NaN", "Infinity", "+5", "1_000", "١٠٠", "¥100"])
def test_an_amount_that_is_not_a_plain_decimal_is_refused(customer_api, consumed, vendor, amount):
    account = consumed.customer_account
    response = customer_api.post(
        "/api/v1/invoice-requests/",
        {
            "vendor": vendor.pk,
            "amount": amount,
            "title": account.titles.get().pk,
            "address": account.addresses.get().pk,
        },
        format="json",
    )
    body = assert_error(response, 400, "invalid_amount")
    assert list(body["fields"]) == ["amount"]
    assert not InvoiceRequest.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("pk", ["1_000", "١"])
def test_a_consumption_record_with_an_odd_id_is_refused_not_looked_up(staff_api, customer, vendor, pk):
    response = staff_api.post(
        "/api/v1/billing/consumption/",
        {
            "customer_account": pk,
            "vendor": vendor.pk,
            "amount": "10.00",
            "consumed_at": "2026-01-01T10:00:00",
            "external_id": "odd-id",
        },
        format="json",
    )
    assert_error(response, 400, "invalid", fields={"customer_account": ["Enter the id as a whole number, such as 12."]})


@pytest.mark.django_db
def test_a_cancel_reason_over_the_limit_is_refused(customer_api, consumed, vendor):
    invoice_request = submit(consumed, vendor)
    response = customer_api.post(
        f"/api/v1/invoice-requests/{invoice_request.pk}/cancel/", {"reason": "x" * 501}, format="json"
    )
    body = assert_error(response, 400, "invalid_reason")
    assert list(body["fields"]) == ["reason"]
    assert InvoiceRequest.objects.get(pk=invoice_request.pk).status == "pending"


@pytest.mark.django_db
def test_a_reject_reason_with_control_characters_is_refused(vendor_api, consumed, vendor):
    invoice_request = submit(consumed, vendor)
    response = vendor_api.post(
        f"/api/v1/vendor/invoice-requests/{invoice_request.pk}/reject/", {"reason": "wrong\x07title"}, format="json"
    )
    body = response.json()
    assert response.status_code == 400, body
    assert set(body) == ERROR_KEYS
    assert list(body["fields"]) == ["reason"]
    assert InvoiceRequest.objects.get(pk=invoice_request.pk).status == "pending"


# --- 19: the shipping payer has its own code -----------------------------------------------------------------------


@pytest.mark.django_db
def test_an_invalid_shipping_payer_has_its_own_code(vendor_api, consumed, vendor, vendor_user):
    invoice_request = reach_status(submit(consumed, vendor), "processing", vendor_user)
    response = vendor_api.post(
        f"/api/v1/vendor/invoice-requests/{invoice_request.pk}/mail/",
        {
            "invoice_numbers": ["04512345"],
            "invoice_date": invoice_request.submitted_at.date().isoformat(),
            "courier": "sf",
            "tracking_number": "SF1234567890",
            "shipping_payer": "the-moon",
        },
        format="json",
    )
    body = assert_error(response, 400, "invalid_shipping_payer")
    assert list(body["fields"]) == ["shipping_payer"]


# --- 15: date filters at the edge of the calendar -------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["customer_api", "vendor_api"])
@pytest.mark.parametrize(
    "query",
    [
        "submitted_to=9999-12-31",
        "submitted_from=9999-12-31",
        "submitted_from=0001-01-01&submitted_to=9999-12-31",
        "due_to=9999-12-31",
        "due_from=0001-01-01",
    ],
)
def test_a_date_filter_at_the_edge_of_the_calendar_answers_200_or_400(request, role, query, consumed, vendor):
    submit(consumed, vendor)
    client = request.getfixturevalue(role)
    url = "/api/v1/invoice-requests/" if role == "customer_api" else "/api/v1/vendor/invoice-requests/"
    response = client.get(f"{url}?{query}")
    if response.status_code == 200:
        assert "results" in response.json()
    else:
        assert response.status_code == 400
        assert set(response.json()) == ERROR_KEYS


@pytest.mark.django_db
def test_a_json_body_nested_too_deep_answers_400_on_object_actions(customer_api, vendor_api, consumed, vendor):
    invoice_request = submit(consumed, vendor)
    address = consumed.customer_account.addresses.get()
    for client, method, url in [
        (customer_api, "patch", f"/api/v1/addresses/{address.pk}/"),
        (customer_api, "post", f"/api/v1/invoice-requests/{invoice_request.pk}/cancel/"),
        (vendor_api, "post", f"/api/v1/vendor/invoice-requests/{invoice_request.pk}/reject/"),
        (vendor_api, "post", f"/api/v1/vendor/invoice-requests/{invoice_request.pk}/mail/"),
    ]:
        response = getattr(client, method)(url, nested(DEEP), content_type="application/json")
        assert_error(response, 400, "json_too_deep")
    assert InvoiceRequest.objects.get(pk=invoice_request.pk).status == "pending"
