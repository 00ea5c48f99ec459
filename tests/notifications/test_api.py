"""GET /api/v1/notifications/ and marking read: the user's own notifications only, the usual error shape."""

import pytest
from django.urls import reverse

from apps.notifications.models import Notification
from tests.helpers import accept, api_client, assert_error, submit

pytestmark = pytest.mark.django_db

LIST = "/api/v1/notifications/"


def test_the_list_is_the_users_own_newest_first_in_the_asked_language(people):
    first = submit(people["customer"], people["vendor"], "1234.50")
    second = submit(people["customer"], people["vendor"], "10.00")
    accept(first, people["vendor_user"])

    body = api_client(people["vendor_user"]).get(LIST).json()

    assert body["count"] == 2
    assert [item["invoice_request_number"] for item in body["results"]] == [second.number, first.number]
    item = body["results"][1]
    assert item["kind"] == "submitted"
    assert item["subject"] == f"New invoice request {first.number}"
    assert "¥1,234.50" in item["text"]
    assert item["url"] == f"/backoffice/requests/{first.pk}/"
    assert item["read"] is False
    chinese = api_client(people["vendor_user"], language="zh-hans").get(LIST).json()
    assert chinese["results"][1]["subject"] == f"新的开票申请 {first.number}"


def test_unread_filter_and_marking_one_read(people):
    request = submit(people["customer"], people["vendor"], "100.00")
    accept(request, people["vendor_user"])
    client = api_client(people["customer"])
    notification = Notification.objects.get(recipient=people["customer"])

    response = client.post(f"{LIST}{notification.pk}/read/")

    assert response.status_code == 200
    assert response.json()["read"] is True
    assert client.get(LIST, {"unread": "true"}).json()["count"] == 0
    assert client.get(LIST).json()["count"] == 1


def test_another_users_notification_answers_404(people, other_customer):
    submit(people["customer"], people["vendor"], "100.00")
    notification = Notification.objects.filter(recipient=people["vendor_user"]).get()

    response = api_client(other_customer).post(f"{LIST}{notification.pk}/read/")

    assert_error(response, 404, "not_found")
    notification.refresh_from_db()
    assert notification.read_at is None
    assert api_client(other_customer).get(LIST).json()["count"] == 0


def test_read_all_marks_only_the_users_own(people):
    submit(people["customer"], people["vendor"], "100.00")
    submit(people["customer"], people["vendor"], "100.00")

    response = api_client(people["vendor_user"]).post(reverse("api-notifications-read-all"))

    assert response.json() == {"marked_read": 2}
    assert Notification.objects.filter(read_at__isnull=True).count() == 2  # the second vendor user's


def test_anonymous_gets_401_in_the_error_shape():
    assert_error(api_client().get(LIST), 401, "not_authenticated")
