"""Redis (the cache) unreachable: signing in, the token endpoint and pages carry on; nothing answers 500."""

import pytest
from django.core.cache import cache
from django.test import override_settings
from rest_framework.test import APIClient

from tests.factories import PASSWORD

DEAD_REDIS = {
    "default": {
        "BACKEND": "apps.core.cache.ResilientRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        "KEY_PREFIX": "dead",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}


@override_settings(CACHES=DEAD_REDIS)
def test_a_dead_redis_misses_reads_and_drops_writes():
    # when
    cache.set("key", "value")
    added = cache.add("other", 1)
    # then
    assert cache.get("key") is None
    assert cache.get("key", "fallback") == "fallback"
    assert added is False
    with pytest.raises(ValueError):
        cache.incr("key")


@pytest.mark.django_db
@override_settings(CACHES=DEAD_REDIS)
def test_token_endpoint_answers_while_redis_is_down(customer):
    # when: the throttle cannot count
    anonymous_client = APIClient()
    good = anonymous_client.post("/api/v1/auth/token/", {"username": customer.username, "password": PASSWORD})
    bad = anonymous_client.post("/api/v1/auth/token/", {"username": customer.username, "password": "wrong-one"})
    # then
    assert good.status_code == 200 and good.json()["token"]
    assert bad.status_code == 400


@pytest.mark.django_db
@override_settings(CACHES=DEAD_REDIS)
def test_pages_that_show_due_dates_answer_while_redis_is_down(customer_client, consumed):
    # when: the working-day calendar cannot read its shared version
    response = customer_client.get("/console/records/")
    # then
    assert response.status_code == 200


@pytest.mark.django_db
def test_signing_in_and_every_busy_page_work_while_redis_is_down(customer, vendor_user, consumed):
    # Sessions, the signed-in user, API tokens, the bell and the queue's figures all live in the cache first: with
    # Redis gone each falls back to PostgreSQL.
    from django.test import Client

    from tests.helpers import api_client

    with override_settings(CACHES=DEAD_REDIS):
        for user, pages in ((customer, ["/console/", "/console/records/"]), (vendor_user, ["/backoffice/"])):
            client = Client(HTTP_ACCEPT_LANGUAGE="en")
            signed_in = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
            assert signed_in.status_code == 302 and "/accounts/login/" not in signed_in["Location"]
            for page in pages:
                assert client.get(page).status_code == 200, page
        assert api_client(customer).get("/api/v1/invoice-requests/").status_code == 200
        assert api_client(vendor_user).get("/api/v1/vendor/invoice-requests/").status_code == 200
