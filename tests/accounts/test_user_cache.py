"""The signed-in user comes from the shared cache (apps/accounts/user_cache.py), and every change to the user, its
vendor or its customer account shows on the very next request: a deactivated user is out, a new password ends the
old sessions, a renamed vendor shows its new name."""

from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.test import override_settings

from apps.accounts import user_cache
from apps.accounts.user_cache import FORGOTTEN, KEY, cached_user, forget_users


def test_the_signed_in_user_is_read_once_then_served_from_the_cache(
    customer_client, customer, django_assert_num_queries
):
    cache.delete(KEY.format(customer.pk))
    assert customer_client.get("/healthz").status_code == 200  # the first request puts the user in the cache
    with django_assert_num_queries(1):  # the session (kept in PostgreSQL only); the user does not reach it
        assert customer_client.get("/healthz").status_code == 200
    assert cache.get(KEY.format(customer.pk)).customer_account_id == customer.customer_account_id


def test_a_deactivated_user_is_logged_out_on_the_next_request(customer_client, customer):
    assert customer_client.get("/console/records/").status_code == 200
    customer.is_active = False
    customer.save(update_fields=["is_active"])
    response = customer_client.get("/console/records/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_password_change_ends_the_sessions_opened_with_the_old_password(customer_client, customer):
    assert customer_client.get("/console/records/").status_code == 200
    customer.set_password("a-new-password-4711")
    customer.save()
    response = customer_client.get("/console/records/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_vendor_renamed_shows_at_once_to_its_signed_in_users(vendor_client, vendor_user, vendor):
    vendor_client.get("/backoffice/")  # cached with the vendor as it was
    vendor.name = "改名后的服务商 Renamed Vendor"
    vendor.save()
    assert cached_user(vendor_user.pk).vendor.name == "改名后的服务商 Renamed Vendor"


def test_a_customer_account_renamed_shows_at_once(customer):
    cached_user(customer.pk)
    account = customer.customer_account
    account.name = "新的账户名 New account name"
    account.save()
    assert cached_user(customer.pk).customer_account.name == "新的账户名 New account name"


def test_forgetting_a_user_rereads_it(customer, django_assert_num_queries):
    cache.delete(KEY.format(customer.pk))  # the marker left by creating the user has expired
    cached_user(customer.pk)
    with django_assert_num_queries(0):
        cached_user(customer.pk)
    forget_users([customer.pk])
    with django_assert_num_queries(1):
        assert cached_user(customer.pk).pk == customer.pk


def test_a_session_of_a_deleted_user_is_anonymous(customer_client, customer):
    session = customer_client.session
    session[SESSION_KEY] = "999999999"
    session.save()
    response = customer_client.get("/console/records/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@override_settings(AUTH_USER_CACHE_SECONDS=0)
def test_without_a_shared_cache_the_user_is_read_every_time(customer, django_assert_num_queries):
    cache.delete(KEY.format(customer.pk))
    with django_assert_num_queries(1):
        assert cached_user(customer.pk).pk == customer.pk
    assert cache.get(KEY.format(customer.pk)) is None


def test_a_request_that_read_the_old_row_cannot_put_it_back_after_the_change(customer, monkeypatch):
    # given a request that read the user just before a deactivation committed
    stale = user_cache._load(customer.pk)
    customer.is_active = False
    customer.save(update_fields=["is_active"])  # forgets the user (a marker, now and after the commit)
    # when that request goes on to cache what it read
    monkeypatch.setattr(user_cache, "_load", lambda user_id: stale)
    assert cached_user(customer.pk).is_active  # it answers its own stale read...
    monkeypatch.undo()
    # then the cache still holds the marker, and the next request reads the row as it is now
    assert cache.get(KEY.format(customer.pk)) == FORGOTTEN
    assert cached_user(customer.pk).is_active is False


def test_a_forgotten_user_is_read_from_the_database_until_the_marker_expires(customer, django_assert_num_queries):
    forget_users([customer.pk])
    with django_assert_num_queries(1):
        cached_user(customer.pk)
    with django_assert_num_queries(1):  # not cached meanwhile
        cached_user(customer.pk)
