"""The bell's unread count is kept in the shared cache per user, and is right at once after a new notification,
after opening one and after "mark all read", on the pages and through the API."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.notifications import services as notification_services
from apps.notifications.models import Notification
from apps.notifications.selectors import UNREAD_COUNT_KEY, UNREAD_COUNT_RECOUNT, unread_notification_count
from apps.notifications.services import unread_counts_forget
from tests.core.test_cache_down import DEAD_REDIS
from tests.helpers import accept, api_client, page_client, submit

pytestmark = pytest.mark.django_db

URL = "/accounts/"  # the account page: every role has it


def bell_count(html: str) -> str | None:
    found = re.search(r'data-testid="bell-count">([^<]+)<', html)
    return found.group(1) if found else None


def bell(client) -> tuple[str | None, int]:
    """(the badge's number, how many notification queries the page ran)."""
    with CaptureQueriesContext(connection) as queries:
        html = client.get(URL).content.decode()
    return bell_count(html), sum("notifications_notification" in q["sql"] for q in queries.captured_queries)


@pytest.fixture
def markers_expire_at_once(monkeypatch):
    """The "count again" marker lasts no time: each read after a change counts and caches again, as after 5 s."""
    monkeypatch.setattr(notification_services, "UNREAD_COUNT_RECOUNT_SECONDS", 0)


def test_the_count_is_cached_once_counted(people, markers_expire_at_once):
    submit(people["customer"], people["vendor"], "10.00")
    client = page_client(people["vendor_user"])

    assert bell(client) == ("1", 1)  # counted in PostgreSQL
    assert bell(client) == ("1", 0)  # then read from the cache


def test_a_new_notification_shows_at_once(people, markers_expire_at_once, django_capture_on_commit_callbacks):
    client = page_client(people["vendor_user"])
    submit(people["customer"], people["vendor"], "10.00")
    assert bell(client)[0] == "1"
    assert bell(client) == ("1", 0)  # cached

    # when another request is submitted (and committed)
    with django_capture_on_commit_callbacks(execute=True):
        submit(people["customer"], people["vendor"], "20.00")

    # then the vendor user's bell says 2 on the next page
    assert bell(client) == ("2", 1)
    # and a change not yet committed is already seen by its own transaction
    submit(people["customer"], people["vendor"], "30.00")
    assert bell(client)[0] == "3"


def test_opening_one_and_marking_all_read_show_at_once(people, markers_expire_at_once):
    client = page_client(people["customer"])
    first = submit(people["customer"], people["vendor"], "10.00")
    second = submit(people["customer"], people["vendor"], "20.00")
    accept(first, people["vendor_user"])
    accept(second, people["vendor_user"])
    bell(client)
    assert bell(client) == ("2", 0)  # cached

    notification = Notification.objects.get(recipient=people["customer"], invoice_request=first)
    client.get(reverse("notifications:open", args=[notification.pk]))
    assert bell(client)[0] == "1"

    client.post(reverse("notifications:read_all"))
    assert bell(client)[0] is None  # nothing unread: no badge


def test_reading_through_the_api_shows_at_once(people, markers_expire_at_once):
    page = page_client(people["vendor_user"])
    api = api_client(people["vendor_user"])
    submit(people["customer"], people["vendor"], "10.00")
    submit(people["customer"], people["vendor"], "20.00")
    bell(page)
    assert bell(page) == ("2", 0)

    one = Notification.objects.filter(recipient=people["vendor_user"]).first()
    assert api.post(f"/api/v1/notifications/{one.pk}/read/").status_code == 200
    assert bell(page)[0] == "1"

    assert api.post("/api/v1/notifications/read-all/").json() == {"marked_read": 1}
    assert bell(page)[0] is None


def test_each_user_has_their_own_count(people, markers_expire_at_once):
    submit(people["customer"], people["vendor"], "10.00")
    notification = Notification.objects.get(recipient=people["vendor_user"])
    notification_services.notification_mark_read(user=people["vendor_user"], notification_id=notification.pk)

    assert unread_notification_count(user=people["vendor_user"]) == 0
    assert unread_notification_count(user=people["second_vendor_user"]) == 1
    assert unread_notification_count(user=people["customer"]) == 0
    # cached apart
    assert cache.get(UNREAD_COUNT_KEY.format(people["vendor_user"].pk)) == 0
    assert cache.get(UNREAD_COUNT_KEY.format(people["second_vendor_user"].pk)) == 1


def test_a_count_read_before_the_change_committed_is_not_cached_afterwards(people):
    user = people["vendor_user"]
    key = UNREAD_COUNT_KEY.format(user.pk)
    # given a change to the user's notifications has just committed (the marker is written on commit)
    unread_counts_forget([user.pk])
    # when a page that counted before the commit stores what it counted
    assert unread_notification_count(user=user) == 0
    # then the marker stays: the next pages count again instead of reading a stale number
    assert cache.get(key) == UNREAD_COUNT_RECOUNT


def test_a_new_user_never_inherits_a_cached_count(people, markers_expire_at_once):
    from tests.factories import VendorUserFactory

    # given a count cached under the ID the next user will get (a database reset or restored)
    next_id = people["second_vendor_user"].pk + 1
    cache.set(UNREAD_COUNT_KEY.format(next_id), 7, 120)
    # when that user is created
    user = VendorUserFactory(vendor=people["vendor"], pk=next_id)
    # then their bell counts their own notifications
    assert unread_notification_count(user=user) == 0


@override_settings(CACHES=DEAD_REDIS)
def test_with_redis_down_the_bell_still_counts(people):
    client = page_client(people["vendor_user"])
    submit(people["customer"], people["vendor"], "10.00")
    assert bell(client) == ("1", 1)
    submit(people["customer"], people["vendor"], "20.00")
    assert bell(client) == ("2", 1)
