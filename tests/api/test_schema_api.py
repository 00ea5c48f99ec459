"""The OpenAPI schema says what the server enforces: required fields are required, dates are dates, errors have
their documented shape."""

import pytest


@pytest.fixture
def schema(customer_api):
    response = customer_api.get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def component(schema, name: str) -> dict:
    return schema["components"]["schemas"][name]


def request_component(schema, path: str, method: str) -> dict:
    ref = schema["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    return component(schema, ref.rsplit("/", 1)[-1])


def query_parameters(schema, path: str) -> dict:
    return {p["name"]: p["schema"] for p in schema["paths"][path]["get"]["parameters"] if p["in"] == "query"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "method", "required"),
    [
        ("/api/v1/auth/token/", "post", ["password", "username"]),
        ("/api/v1/invoice-requests/", "post", ["address", "amount", "title", "vendor"]),
        ("/api/v1/titles/", "post", ["name"]),
        ("/api/v1/titles/{id}/", "put", ["name"]),
        ("/api/v1/addresses/", "post", ["city", "district", "phone", "postal_code", "province", "recipient", "street"]),
        ("/api/v1/vendor/invoice-requests/{id}/reject/", "post", ["reason"]),
        (
            "/api/v1/vendor/invoice-requests/{id}/mail/",
            "post",
            ["courier", "invoice_date", "invoice_numbers", "shipping_payer", "tracking_number"],
        ),
        ("/api/v1/vendor/invoice-requests/bulk-accept/", "post", ["ids"]),
    ],
)
def test_request_bodies_list_exactly_what_the_server_requires(schema, path, method, required):
    body = request_component(schema, path, method)
    assert sorted(body.get("required", [])) == required


@pytest.mark.django_db
def test_a_patch_body_requires_nothing_and_the_token_response_is_not_asked_for(schema):
    assert "required" not in request_component(schema, "/api/v1/titles/{id}/", "patch")
    assert "token" not in request_component(schema, "/api/v1/auth/token/", "post")["properties"]


@pytest.mark.django_db
def test_dates_are_dates(schema):
    for path in ("/api/v1/invoice-requests/", "/api/v1/vendor/invoice-requests/"):
        parameters = query_parameters(schema, path)
        assert parameters["submitted_from"] == {"type": "string", "format": "date"}
        assert parameters["submitted_to"] == {"type": "string", "format": "date"}
    mail = request_component(schema, "/api/v1/vendor/invoice-requests/{id}/mail/", "post")
    assert mail["properties"]["invoice_date"]["format"] == "date"
    record = component(schema, "InvoiceRequest")["properties"]
    assert record["dispatch_due_date"]["format"] == "date"
    assert (record["invoice_date"]["format"], record["invoice_date"]["nullable"]) == ("date", True)
    assert record["mailed_at"]["format"] == "date-time"


@pytest.mark.django_db
def test_ids_are_positive_integers(schema):
    create = request_component(schema, "/api/v1/invoice-requests/", "post")["properties"]
    assert (create["vendor"]["type"], create["vendor"]["minimum"]) == ("integer", 1)
    bulk = request_component(schema, "/api/v1/vendor/invoice-requests/bulk-accept/", "post")["properties"]
    assert bulk["ids"]["items"]["type"] == "integer"


@pytest.mark.django_db
def test_the_customer_record_documents_its_mailing_fields_as_empty_until_mailed(schema):
    record = component(schema, "InvoiceRequest")["properties"]
    assert record["rejection_reason"]["nullable"] is True
    assert record["invoice_numbers"]["type"] == "array"
    assert "empty until mailed" in record["tracking_number"]["description"].lower()


@pytest.mark.django_db
def test_error_answers_are_documented_with_the_error_shape(schema):
    error = component(schema, "Error")
    assert sorted(error["required"]) == ["code", "fields", "message"]
    create = schema["paths"]["/api/v1/invoice-requests/"]["post"]["responses"]
    for status in ("400", "401", "403"):
        assert create[status]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    token = schema["paths"]["/api/v1/auth/token/"]
    assert {"400", "429"} <= set(token["post"]["responses"])
    assert {"204", "401"} <= set(token["delete"]["responses"])
