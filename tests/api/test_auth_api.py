"""Who may call the API: token and session authentication, roles, the schema and its docs page."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import PASSWORD, CustomerUserFactory
from tests.helpers import assert_error

TOKEN_URL = "/api/v1/auth/token/"

CUSTOMER_ENDPOINTS = [
    ("get", "/api/v1/titles/"),
    ("post", "/api/v1/titles/"),
    ("get", "/api/v1/titles/1/"),
    ("patch", "/api/v1/titles/1/"),
    ("put", "/api/v1/titles/1/"),
    ("delete", "/api/v1/titles/1/"),
    ("post", "/api/v1/titles/1/set-default/"),
    ("get", "/api/v1/addresses/"),
    ("post", "/api/v1/addresses/"),
    ("get", "/api/v1/addresses/1/"),
    ("patch", "/api/v1/addresses/1/"),
    ("delete", "/api/v1/addresses/1/"),
    ("post", "/api/v1/addresses/1/set-default/"),
    ("get", "/api/v1/invoiceable/"),
    ("get", "/api/v1/invoice-requests/"),
    ("post", "/api/v1/invoice-requests/"),
    ("get", "/api/v1/invoice-requests/1/"),
    ("post", "/api/v1/invoice-requests/1/cancel/"),
    ("get", "/api/v1/refunds/"),
    ("post", "/api/v1/refunds/"),
    ("get", "/api/v1/invoice-debts/"),
    ("get", "/api/v1/invoice-returns/"),
    ("post", "/api/v1/invoice-returns/"),
    ("post", "/api/v1/invoice-returns/1/ship/"),
    ("get", "/api/v1/tickets/"),
    ("post", "/api/v1/tickets/"),
    ("post", "/api/v1/tickets/1/reply/"),
    ("get", "/api/v1/withdrawals/"),
    ("post", "/api/v1/withdrawals/"),
    ("get", "/api/v1/withdrawals/balance/"),
]
ALL_ENDPOINTS = [*CUSTOMER_ENDPOINTS, ("post", "/api/v1/billing/consumption/"), ("post", "/api/v1/billing/refunds/")]


@pytest.mark.django_db
def test_token_endpoint_answers_the_users_token_and_the_token_authenticates(anonymous_client, customer):
    # when
    response = anonymous_client.post(TOKEN_URL, {"username": customer.username, "password": PASSWORD}, format="json")
    # then
    assert response.status_code == 200
    token = Token.objects.get(user=customer)
    assert response.json() == {"token": token.key}
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get("/api/v1/titles/").status_code == 200


@pytest.mark.django_db
def test_token_endpoint_answers_the_same_token_every_time(anonymous_client, customer):
    credentials = {"username": customer.username, "password": PASSWORD}
    first = anonymous_client.post(TOKEN_URL, credentials, format="json").json()
    second = anonymous_client.post(TOKEN_URL, credentials).json()  # form-encoded works too
    assert first == second
    assert Token.objects.filter(user=customer).count() == 1


@pytest.mark.django_db
def test_token_endpoint_refuses_a_wrong_password(anonymous_client, customer):
    response = anonymous_client.post(TOKEN_URL, {"username": customer.username, "password": "wrong"}, format="json")
    assert_error(response, 400, "invalid_credentials", "Unable to log in with provided credentials.", {})
    assert not Token.objects.filter(user=customer).exists()


@pytest.mark.django_db
def test_token_endpoint_refuses_an_inactive_user(anonymous_client):
    user = CustomerUserFactory(is_active=False)
    response = anonymous_client.post(TOKEN_URL, {"username": user.username, "password": PASSWORD}, format="json")
    assert_error(response, 400, "invalid_credentials", "Unable to log in with provided credentials.", {})


@pytest.mark.django_db
def test_token_endpoint_names_the_missing_fields(anonymous_client):
    response = anonymous_client.post(TOKEN_URL, {"username": ""}, format="json")
    assert_error(
        response,
        400,
        "invalid",
        "Please correct the fields marked below.",
        {"username": ["This field may not be blank."], "password": ["This field is required."]},
    )


@pytest.mark.django_db
def test_token_endpoint_works_for_a_browser_that_is_already_logged_in(customer):
    # given a session without a CSRF token
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(customer)
    # when
    response = client.post(TOKEN_URL, {"username": customer.username, "password": PASSWORD}, format="json")
    # then
    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=customer).key}


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "url"), ALL_ENDPOINTS)
def test_anonymous_requests_answer_401_asking_for_a_token(anonymous_client, method, url):
    response = getattr(anonymous_client, method)(url)
    assert_error(response, 401, "not_authenticated", "Authentication credentials were not provided.", {})
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.django_db
def test_an_unknown_token_answers_401(anonymous_client):
    anonymous_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = anonymous_client.get("/api/v1/titles/")
    assert_error(response, 401, "authentication_failed", "Invalid token.", {})


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "url"), CUSTOMER_ENDPOINTS)
def test_vendor_and_staff_users_may_not_use_customer_endpoints(client_for, vendor_user, staff_user, method, url):
    for user in (vendor_user, staff_user):
        response = getattr(client_for(user), method)(url)
        assert_error(response, 403, "permission_denied", "Only customer accounts may use this endpoint.", {})


@pytest.mark.django_db
def test_customer_and_vendor_users_may_not_import_consumption(client_for, customer, vendor_user):
    for user in (customer, vendor_user):
        response = client_for(user).post("/api/v1/billing/consumption/", {}, format="json")
        assert_error(response, 403, "permission_denied", "Only marketplace staff may use this endpoint.", {})


@pytest.mark.django_db
def test_a_logged_in_browser_session_may_use_the_api(customer):
    client = APIClient()
    assert client.login(username=customer.username, password=PASSWORD)
    response = client.get("/api/v1/titles/")
    assert response.status_code == 200
    assert [title["name"] for title in response.json()] == [customer.customer_account.titles.get().name]


@pytest.mark.django_db
def test_a_session_write_without_csrf_token_is_refused(customer):
    client = APIClient(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(customer)
    response = client.post("/api/v1/titles/", {"kind": "individual", "name": "张三"}, format="json")
    body = assert_error(response, 403, "permission_denied", fields={})
    assert body["message"].startswith("CSRF Failed")
    assert customer.customer_account.titles.count() == 1


@pytest.mark.django_db
def test_schema_lists_every_endpoint_for_a_logged_in_user(client_for, customer):
    response = client_for(customer).get("/api/schema/?format=json")
    assert response.status_code == 200
    assert set(response.json()["paths"]) == {
        "/api/v1/auth/token/",
        "/api/v1/titles/",
        "/api/v1/titles/{id}/",
        "/api/v1/titles/{id}/set-default/",
        "/api/v1/addresses/",
        "/api/v1/addresses/{id}/",
        "/api/v1/addresses/{id}/set-default/",
        "/api/v1/invoiceable/",
        "/api/v1/invoice-requests/",
        "/api/v1/invoice-requests/{id}/",
        "/api/v1/invoice-requests/{id}/cancel/",
        "/api/v1/billing/consumption/",
        "/api/v1/vendor/invoice-requests/",
        "/api/v1/vendor/invoice-requests/{id}/",
        "/api/v1/vendor/invoice-requests/{id}/accept/",
        "/api/v1/vendor/invoice-requests/{id}/reject/",
        "/api/v1/vendor/invoice-requests/{id}/mail/",
        "/api/v1/vendor/invoice-requests/bulk-accept/",
        "/api/v1/vendor/invoice-requests/mailing-import/",
        "/api/v1/vendor/profile/",
        "/api/v1/staff/calendar-overrides/",
        "/api/v1/staff/calendar-overrides/{id}/",
        "/api/v1/staff/sla/",
        "/api/v1/notifications/",
        "/api/v1/notifications/{id}/read/",
        "/api/v1/notifications/read-all/",
        "/api/v1/refunds/",
        "/api/v1/refunds/{id}/",
        "/api/v1/vendor/refunds/",
        "/api/v1/vendor/refunds/{id}/",
        "/api/v1/vendor/refunds/{id}/approve/",
        "/api/v1/vendor/refunds/{id}/reject/",
        "/api/v1/billing/refunds/",
        "/api/v1/invoice-debts/",
        "/api/v1/invoice-returns/",
        "/api/v1/invoice-returns/{id}/",
        "/api/v1/invoice-returns/{id}/ship/",
        "/api/v1/vendor/invoice-returns/",
        "/api/v1/vendor/invoice-returns/{id}/",
        "/api/v1/vendor/invoice-returns/{id}/agree/",
        "/api/v1/vendor/invoice-returns/{id}/decline/",
        "/api/v1/vendor/invoice-returns/{id}/receive/",
        "/api/v1/vendor/invoice-requests/{id}/reopen/",
        "/api/v1/tickets/",
        "/api/v1/tickets/{id}/",
        "/api/v1/tickets/{id}/reply/",
        "/api/v1/tickets/attachments/{id}/",
        "/api/v1/staff/tickets/",
        "/api/v1/staff/tickets/{id}/",
        "/api/v1/staff/tickets/{id}/assign/",
        "/api/v1/staff/tickets/{id}/reply/",
        "/api/v1/staff/tickets/{id}/resolve/",
        "/api/v1/staff/invoice-requests/{id}/void/",
        "/api/v1/withdrawals/",
        "/api/v1/withdrawals/balance/",
        "/api/v1/staff/withdrawals/",
        "/api/v1/staff/withdrawals/{id}/pay/",
        "/api/v1/staff/withdrawals/{id}/reject/",
    }


@pytest.mark.django_db
def test_schema_needs_a_login(anonymous_client):
    response = anonymous_client.get("/api/schema/?format=json")
    assert_error(response, 401, "not_authenticated", "Authentication credentials were not provided.", {})


@pytest.mark.django_db
def test_docs_page_loads_its_assets_from_our_static_files_not_a_cdn(customer):
    client = APIClient()
    client.force_login(customer)
    response = client.get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()
    # its start-up script is a file of its own (no inline script under our Content-Security-Policy)
    assert '<script src="/api/docs/?script="></script>' in page
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in script.content.decode()
