"""Who may open the staff console and its API: staff only; others are told the page is for marketplace staff."""

import pytest
from django.urls import reverse

from tests.helpers import api_client, assert_error, page_client

PAGES = [
    reverse("staffconsole:overdue"),
    reverse("staffconsole:vendors"),
    reverse("staffconsole:findings"),
    reverse("staffconsole:calendar"),
]
APIS = ["/api/v1/staff/calendar-overrides/", "/api/v1/staff/sla/"]

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("role", ["customer", "vendor_user"])
def test_customers_and_vendors_are_told_the_page_is_for_staff(request, role, url):
    # Given a signed-in customer or vendor user
    client = page_client(request.getfixturevalue(role))

    # When they open a staff console page
    response = client.get(url)

    # Then 403, and the page says whom it is for
    assert response.status_code == 403
    assert "This page is for marketplace staff." in response.content.decode()


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitors_go_to_the_login_page(url):
    response = page_client().get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("url", APIS)
@pytest.mark.parametrize("role", ["customer", "vendor_user"])
def test_the_staff_api_refuses_other_roles_with_the_error_shape(request, role, url):
    response = api_client(request.getfixturevalue(role)).get(url)
    assert_error(response, 403, "permission_denied", "Only marketplace staff may use this endpoint.")


@pytest.mark.parametrize("url", APIS)
def test_the_staff_api_needs_authentication(url):
    assert api_client().get(url).status_code == 401


def test_staff_log_in_and_land_in_the_staff_console(staff_user):
    # Given staff1's password
    staff_user.set_password("a-long-password-123")
    staff_user.save()
    client = page_client()

    # When staff log in on the login page
    response = client.post(
        reverse("login"), {"username": staff_user.username, "password": "a-long-password-123"}, follow=True
    )

    # Then they land on the staff console's first page, with its menu
    assert response.redirect_chain[-1][0] == reverse("staffconsole:overdue")
    page = response.content.decode()
    assert 'data-testid="staff-menu-overdue"' in page
    assert 'aria-current="page">Overdue requests<' in page


def test_the_menu_lists_every_section_and_marks_the_current_one(staff_client):
    page = staff_client.get(reverse("staffconsole:calendar")).content.decode()
    for name, label in [
        ("overdue", "Overdue requests"),
        ("vendors", "Vendor on-time rates"),
        ("findings", "Audit findings"),
        ("calendar", "Working-day calendar"),
    ]:
        assert f'data-testid="staff-menu-{name}"' in page
        assert label in page
    assert 'class="active" data-testid="staff-menu-calendar" aria-current="page"' in page
    # The raw data stays one click away
    assert 'href="/admin/"' in page


def test_other_roles_see_no_staff_menu(customer_client, vendor_client):
    for client in (customer_client, vendor_client):
        page = client.get(reverse("account")).content.decode()
        assert "staff-menu-" not in page
