"""The bell and the notification list, for every role; the language the user picks is the language of their e-mails."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.notifications.models import Notification
from tests.factories import StaffUserFactory
from tests.helpers import accept, page_client, submit

pytestmark = pytest.mark.django_db


def bell_count(html: str) -> str | None:
    found = re.search(r'data-testid="bell-count">([^<]+)<', html)
    return found.group(1) if found else None


def test_every_role_sees_the_bell_with_its_unread_count(people, staff_user):
    request = submit(people["customer"], people["vendor"], "100.00")
    accept(request, people["vendor_user"])

    customer_page = page_client(people["customer"]).get(reverse("console:records")).content.decode()
    vendor_page = page_client(people["vendor_user"]).get(reverse("backoffice:profile")).content.decode()
    staff_page = page_client(staff_user).get(reverse("account")).content.decode()

    assert bell_count(customer_page) == "1"
    assert bell_count(vendor_page) == "1"
    assert 'data-testid="bell"' in staff_page
    assert bell_count(staff_page) is None  # nothing unread: no badge
    assert 'href="/notifications/"' in staff_page


def test_the_bell_costs_one_query_however_many_notifications(people):
    client = page_client(people["customer"])
    url = reverse("account")
    client.get(url)  # warm: the signed-in user, the session
    accept(submit(people["customer"], people["vendor"], "1.00"), people["vendor_user"])
    with CaptureQueriesContext(connection) as one:
        client.get(url)

    for _n in range(30):
        accept(submit(people["customer"], people["vendor"], "1.00"), people["vendor_user"])
    with CaptureQueriesContext(connection) as many:
        html = client.get(url).content.decode()

    assert bell_count(html) == "31"
    assert len(many.captured_queries) == len(one.captured_queries)
    bell_queries = [q["sql"] for q in many.captured_queries if "notifications_notification" in q["sql"]]
    assert len(bell_queries) == 1
    assert "COUNT(*)" in bell_queries[0]


def test_the_list_shows_newest_first_and_opening_one_marks_it_read(people):
    client = page_client(people["customer"])
    first = submit(people["customer"], people["vendor"], "100.00")
    second = submit(people["customer"], people["vendor"], "200.00")
    accept(first, people["vendor_user"])
    accept(second, people["vendor_user"])

    html = client.get(reverse("notifications:list")).content.decode()
    assert html.index(second.number) < html.index(first.number)
    assert html.count('data-unread="true"') == 2
    assert "¥200.00" in html

    notification = Notification.objects.get(recipient=people["customer"], invoice_request=first)
    response = client.get(reverse("notifications:open", args=[notification.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("console:record_detail", args=[first.pk])
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert bell_count(client.get(reverse("notifications:list")).content.decode()) == "1"


def test_mark_all_read(people):
    client = page_client(people["vendor_user"])
    submit(people["customer"], people["vendor"], "100.00")
    submit(people["customer"], people["vendor"], "100.00")

    response = client.post(reverse("notifications:read_all"), follow=True)

    html = response.content.decode()
    assert 'data-unread="true"' not in html
    assert bell_count(html) is None
    # the other vendor user's notifications stay unread
    assert Notification.objects.filter(recipient=people["second_vendor_user"], read_at__isnull=True).count() == 2


def test_another_users_notification_cannot_be_opened(people, other_customer):
    submit(people["customer"], people["vendor"], "100.00")
    notification = Notification.objects.filter(recipient=people["vendor_user"]).get()

    response = page_client(other_customer).get(reverse("notifications:open", args=[notification.pk]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("notifications:list")
    notification.refresh_from_db()
    assert notification.read_at is None


def test_an_empty_list_explains_what_comes_here(customer):
    html = page_client(customer).get(reverse("notifications:list")).content.decode()

    assert 'data-testid="empty"' in html
    assert "No notifications yet" in html


def test_the_list_needs_a_login():
    response = page_client().get(reverse("notifications:list"))

    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_the_language_switch_sets_the_language_of_the_users_emails(customer):
    client = page_client(customer)

    client.post(reverse("set_language"), {"language": "en", "next": "/console/"})
    customer.refresh_from_db()
    assert customer.language == "en"

    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/console/"})
    customer.refresh_from_db()
    assert customer.language == "zh-hans"


def test_a_language_chosen_before_login_is_kept_for_the_user(db):
    staff = StaffUserFactory()
    client = page_client()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})

    client.post(reverse("login"), {"username": staff.username, "password": "demo12345"})

    staff.refresh_from_db()
    assert staff.language == "en"


def test_the_notification_pages_are_in_the_staff_and_phone_frame(staff_user):
    StaffUserFactory()  # a colleague, so staff_recipients has more than one
    html = page_client(staff_user, language="zh-hans").get(reverse("notifications:list")).content.decode()

    assert 'name="viewport"' in html
    assert "style=" not in html
    assert "<script>" not in html


@pytest.mark.parametrize("page", ["abc", "0", "99999", "-1"])
def test_a_stale_or_mistyped_page_number_shows_a_page_not_a_404(people, page):
    # given one notification for the vendor's user
    submit(people["customer"], people["vendor"], "100.00")

    response = page_client(people["vendor_user"]).get(reverse("notifications:list"), {"page": page})

    assert response.status_code == 200
    assert len(response.context["notifications"]) == 1
