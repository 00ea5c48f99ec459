"""A token is read from the shared cache, never at the cost of security: revoking it (API or account page),
deleting it any other way, its expiry and a deactivated user all take effect on the very next request."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from apps.core.api.authentication import _token_cache_key
from tests.factories import PASSWORD
from tests.helpers import api_client, assert_error, page_client

URL = "/api/v1/invoiceable/"  # one query of its own: the account's balances


@pytest.fixture
def warm(customer):
    """The customer's API client, after one request put the token and its user in the shared cache."""
    client = api_client(customer)
    cache.delete(f"auth-user:{customer.pk}")  # the marker creating the user left has expired (user_cache.FORGOTTEN)
    assert client.get(URL).status_code == 200
    return client


@pytest.mark.django_db
def test_a_cached_token_reads_nothing_from_postgresql(warm, django_assert_num_queries):
    with django_assert_num_queries(1):  # the balances only: token, user and customer account come from the cache
        assert warm.get(URL).status_code == 200


@pytest.mark.django_db
@override_settings(AUTH_USER_CACHE_SECONDS=0)
def test_without_the_cache_the_token_and_its_user_are_one_query(customer, django_assert_num_queries):
    client = api_client(customer)
    client.get(URL)
    with django_assert_num_queries(2):
        assert client.get(URL).status_code == 200


@pytest.mark.django_db
def test_delete_revokes_a_cached_token_at_once(warm):
    assert warm.delete("/api/v1/auth/token/").status_code == 204
    assert_error(warm.get(URL), 401, "authentication_failed", "Invalid token.")


@pytest.mark.django_db
def test_the_account_page_revokes_a_cached_token_at_once(warm, customer):
    response = page_client(customer).post(reverse("api_token_revoke"))
    assert response.status_code == 302
    assert_error(warm.get(URL), 401, "authentication_failed", "Invalid token.")


@pytest.mark.django_db
def test_a_token_deleted_any_other_way_is_refused_at_once(warm, customer):
    Token.objects.filter(user=customer).delete()  # the admin, a script
    assert_error(warm.get(URL), 401, "authentication_failed", "Invalid token.")


@pytest.mark.django_db
def test_a_request_that_read_the_token_before_the_revocation_cannot_put_it_back(warm, customer):
    token = Token.objects.get(user=customer)
    warm.delete("/api/v1/auth/token/")
    # a request that read the row before the DELETE committed now stores what it read: `add` never replaces the
    # tombstone
    cache.add(_token_cache_key(token.key), (customer.pk, token.created), 300)
    assert_error(warm.get(URL), 401, "authentication_failed", "Invalid token.")


@pytest.mark.django_db
@override_settings(TOKEN_TTL_DAYS=30)
def test_a_cached_token_expires_on_time(warm, monkeypatch):
    later = timezone.now() + dt.timedelta(days=30, seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert_error(warm.get(URL), 401, "token_expired")


@pytest.mark.django_db
def test_a_deactivated_user_is_refused_at_once(warm, customer):
    customer.is_active = False
    customer.save(update_fields=["is_active"])
    assert_error(warm.get(URL), 401, "authentication_failed", "User inactive or deleted.")


@pytest.mark.django_db
def test_after_a_revocation_a_new_token_works_and_the_old_one_stays_refused(warm, customer, anonymous_client):
    old = Token.objects.get(user=customer).key
    warm.delete("/api/v1/auth/token/")
    response = anonymous_client.post(
        "/api/v1/auth/token/", {"username": customer.username, "password": PASSWORD}, format="json"
    )
    new = response.json()["token"]
    assert new != old
    for _twice in range(2):  # the second time from the cache
        client = api_client()
        client.credentials(HTTP_AUTHORIZATION=f"Token {new}")
        assert client.get(URL).status_code == 200
        client.credentials(HTTP_AUTHORIZATION=f"Token {old}")
        assert_error(client.get(URL), 401, "authentication_failed", "Invalid token.")
