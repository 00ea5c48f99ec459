"""Who may open the back-office: vendor users (their own requests), staff (every vendor, read-only), customers never.

A request of another vendor answers 404, never 403, so a vendor cannot even learn that it exists.
"""

import pytest
from django.urls import reverse

from apps.invoices.models import InvoiceRequest
from tests.factories import PASSWORD

from .helpers import accept, fresh, row_ids, submit

pytestmark = pytest.mark.django_db

PAGES = ["queue", "export", "mailing_import", "mailing_template", "profile"]
REQUEST_PAGES = ["detail", "reject", "mail"]
ACTIONS = ["accept", "reject", "mail"]


def every_url(request_pk: int) -> list[str]:
    return [
        *(reverse(f"backoffice:{name}") for name in PAGES),
        *(reverse(f"backoffice:{name}", args=[request_pk]) for name in REQUEST_PAGES),
    ]


def test_anonymous_visitors_are_sent_to_the_login_page(client, shopper, vendor):
    request = submit(shopper, vendor, "100.00")
    for url in every_url(request.pk):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


def test_customers_get_403_on_every_back_office_page_and_action(browser_for, shopper, vendor):
    # given a customer with a pending request
    request = submit(shopper, vendor, "100.00")
    browser = browser_for(shopper)
    # when they open any back-office page or post any action
    # then 403, and nothing changed
    for url in every_url(request.pk):
        assert browser.get(url).status_code == 403, url
    for name in ACTIONS:
        assert browser.post(reverse(f"backoffice:{name}", args=[request.pk]), {"reason": "x"}).status_code == 403
    assert browser.post(reverse("backoffice:bulk_accept"), {"request_ids": [request.pk]}).status_code == 403
    assert browser.post(reverse("backoffice:profile"), {"contact_phone": "400-000-0000"}).status_code == 403
    assert fresh(request).status == InvoiceRequest.Status.PENDING


def test_a_vendor_lands_on_its_queue_after_logging_in(client, vendor_user):
    response = client.post(reverse("login"), {"username": vendor_user.username, "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("backoffice:queue")


def test_vendor2_never_sees_vendor1_requests_and_gets_404_on_them(
    browser_for, shopper, vendor, other_vendor, vendor_user, vendor2_user
):
    # given one request for each vendor, vendor1's in processing
    mine = submit(shopper, other_vendor, "100.00")
    theirs = accept(submit(shopper, vendor, "200.00"), vendor_user)
    browser = browser_for(vendor2_user)

    # when vendor2 opens its queue, then only its own request is there, searching does not find the other one,
    # and the counts are its own
    queue = browser.get(reverse("backoffice:queue"))
    assert row_ids(queue.content.decode()) == [mine.pk]
    assert row_ids(browser.get(reverse("backoffice:queue"), {"q": theirs.number}).content.decode()) == []
    assert queue.context["total_count"] == 1
    assert queue.context["status_tabs"][1] == ("processing", "Processing", 0)

    # and vendor1's request is not found on any page or action, and stays as it was
    for name in REQUEST_PAGES:
        assert browser.get(reverse(f"backoffice:{name}", args=[theirs.pk])).status_code == 404, name
    for name in ACTIONS:
        response = browser.post(
            reverse(f"backoffice:{name}", args=[theirs.pk]),
            {"reason": "wrong", "invoice_numbers": "12345678", "courier": "sf", "tracking_number": "SF123456789"},
        )
        assert response.status_code == 404, name
    assert fresh(theirs).status == InvoiceRequest.Status.PROCESSING

    # and a bulk accept naming it accepts nothing
    pending = submit(shopper, vendor, "300.00")
    browser.post(reverse("backoffice:bulk_accept"), {"request_ids": [pending.pk]})
    assert fresh(pending).status == InvoiceRequest.Status.PENDING

    # and its export lists its own request only
    export = b"".join(browser.get(reverse("backoffice:export")).streaming_content).decode("utf-8-sig")
    assert mine.number in export and theirs.number not in export and pending.number not in export


def test_staff_see_every_vendors_queue_read_only(browser_for, shopper, vendor, other_vendor, staff_user):
    # given a pending request for each vendor
    one = submit(shopper, vendor, "100.00")
    two = submit(shopper, other_vendor, "200.00")
    browser = browser_for(staff_user)

    # when staff open the queue: both are there, with the vendor column and no checkboxes or action buttons
    html = browser.get(reverse("backoffice:queue")).content.decode()
    assert sorted(row_ids(html)) == sorted([one.pk, two.pk])
    assert vendor.name in html and other_vendor.name in html
    assert 'name="request_ids"' not in html
    assert 'method="post"' not in html.split('id="main"')[1]  # no form in the page itself
    assert reverse("backoffice:accept", args=[one.pk]) not in html

    # and the vendor filter narrows it to one vendor
    filtered = browser.get(reverse("backoffice:queue"), {"vendor": other_vendor.pk})
    assert row_ids(filtered.content.decode()) == [two.pk]
    assert filtered.context["total_count"] == 1

    # and the detail opens, without accept/reject/mail
    detail = browser.get(reverse("backoffice:detail", args=[one.pk]))
    assert detail.status_code == 200
    assert 'id="accept-button"' not in detail.content.decode()
    assert 'data-testid="read-only"' in detail.content.decode()


def test_staff_get_403_on_every_action(browser_for, shopper, vendor, staff_user):
    request = submit(shopper, vendor, "100.00")
    browser = browser_for(staff_user)
    for name in ACTIONS:
        assert browser.get(reverse(f"backoffice:{name}", args=[request.pk])).status_code == 403, name
        assert browser.post(reverse(f"backoffice:{name}", args=[request.pk]), {"reason": "x"}).status_code == 403
    assert browser.post(reverse("backoffice:bulk_accept"), {"request_ids": [request.pk]}).status_code == 403
    assert browser.get(reverse("backoffice:mailing_import")).status_code == 403
    assert browser.post(reverse("backoffice:mailing_import")).status_code == 403
    assert browser.get(reverse("backoffice:profile")).status_code == 403
    assert fresh(request).status == InvoiceRequest.Status.PENDING
