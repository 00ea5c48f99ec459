"""The page frame: login and logout, where each role lands, who may open the console, the language switch."""

import re

import pytest
from django.urls import NoReverseMatch, reverse

from tests.factories import PASSWORD, CustomerUserFactory, VendorFactory, VendorUserFactory

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}

CONSOLE_URLS = [
    reverse("console:invoiceable"),
    reverse("console:apply", args=[1]),
    reverse("console:apply_confirm", args=[1]),
    reverse("console:records"),
    reverse("console:record_detail", args=[1]),
    reverse("console:record_cancel", args=[1]),
    reverse("console:titles"),
    reverse("console:title_add"),
    reverse("console:title_edit", args=[1]),
    reverse("console:title_delete", args=[1]),
    reverse("console:title_set_default", args=[1]),
    reverse("console:addresses"),
    reverse("console:address_add"),
    reverse("console:address_edit", args=[1]),
    reverse("console:address_delete", args=[1]),
    reverse("console:address_set_default", args=[1]),
]


@pytest.mark.django_db
def test_login_with_the_right_password_lands_a_customer_in_the_console(client, customer):
    # Given the login page
    page = client.get(reverse("login"), **EN)
    assert page.status_code == 200
    assert b'name="password"' in page.content

    # When the customer logs in
    response = client.post(reverse("login"), {"username": customer.username, "password": PASSWORD}, follow=True, **EN)

    # Then they see their invoiceable amounts, signed in
    assert response.redirect_chain[-1][0] == reverse("console:invoiceable")
    assert response.context["user"] == customer
    assert customer.username in response.content.decode()


@pytest.mark.django_db
def test_login_with_a_wrong_password_says_so_and_keeps_the_username(client, customer):
    response = client.post(reverse("login"), {"username": customer.username, "password": "wrong-password"}, **EN)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Wrong username or password" in html
    assert f'value="{customer.username}"' in html
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_logout_is_a_post_and_ends_the_session(client, customer):
    client.force_login(customer)

    response = client.post(reverse("logout"), **EN)

    assert response.status_code == 302
    assert response.url == reverse("login")
    assert client.get(reverse("console:titles")).status_code == 302  # back to the login page


@pytest.mark.django_db
@pytest.mark.parametrize("url", CONSOLE_URLS)
def test_anonymous_users_are_sent_to_login_from_every_console_url(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url}"


@pytest.mark.django_db
def test_anonymous_home_goes_to_login(client):
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.django_db
def test_home_sends_each_role_where_it_works(client, customer, vendor_user, staff_user):
    client.force_login(customer)
    assert client.get(reverse("home")).url == reverse("console:invoiceable")

    client.force_login(staff_user)
    assert client.get(reverse("home")).url == reverse("staffconsole:overdue")

    client.force_login(vendor_user)
    try:
        vendor_home = reverse("backoffice:queue")
    except NoReverseMatch:  # the vendor back-office comes with a later issue
        vendor_home = reverse("account")
    assert client.get(reverse("home")).url == vendor_home


@pytest.mark.django_db
def test_vendor_account_page_shows_the_vendors_contact_details(client):
    vendor = VendorFactory(
        name="云帆数据服务有限公司",
        contact_phone="400-820-1234",
        contact_email="invoice@yunfan.example.com",
        service_hours="工作日 09:00–18:00",
        supported_invoice_types=["general"],
    )
    client.force_login(VendorUserFactory(vendor=vendor, username="vendor-a"))

    response = client.get(reverse("account"), **EN)

    html = response.content.decode()
    assert response.status_code == 200
    for text in (
        "vendor-a",
        "Vendor",
        "云帆数据服务有限公司",
        "400-820-1234",
        "invoice@yunfan.example.com",
        "工作日 09:00–18:00",
    ):
        assert text in html
    assert "VAT general invoice (paper)" in html
    assert "VAT special invoice (paper)" not in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", [reverse("console:invoiceable"), reverse("console:titles"), reverse("console:addresses")]
)
def test_vendor_and_staff_users_get_403_on_console_pages(client, vendor_user, staff_user, url):
    for user in (vendor_user, staff_user):
        client.force_login(user)

        response = client.get(url, **EN)

        assert response.status_code == 403
        assert "You cannot open this page" in response.content.decode()
        assert f'href="{reverse("home")}"' in response.content.decode()


@pytest.mark.django_db
def test_customer_menu_links_every_console_section_and_marks_the_current_one(client, customer):
    client.force_login(customer)

    html = client.get(reverse("console:titles"), **EN).content.decode()

    for name in ("console:invoiceable", "console:records", "console:titles", "console:addresses"):
        assert f'href="{reverse(name)}"' in html
    assert f'<a href="{reverse("console:titles")}" class="active">Invoice titles</a>' in html
    assert f'<a href="{reverse("console:addresses")}" class="">Mailing addresses</a>' in html
    assert 'href="/api/docs/"' in html
    assert 'href="/admin/"' not in html


@pytest.mark.django_db
def test_staff_menu_links_the_admin_and_api_docs(client, staff_user):
    client.force_login(staff_user)

    html = client.get(reverse("account"), **EN).content.decode()

    assert 'href="/admin/"' in html
    assert 'href="/api/docs/"' in html
    assert f'href="{reverse("console:titles")}"' not in html


@pytest.mark.django_db
def test_pages_are_chinese_by_default_and_the_switch_makes_the_next_page_english(client, customer):
    client.force_login(customer)
    page = reverse("console:titles")

    # Given the default language
    html = client.get(page).content.decode()
    assert '<html lang="zh-hans">' in html
    assert f'action="{reverse("set_language")}"' in html
    assert f'name="next" value="{page}"' in html

    # When the user picks English in the switch
    response = client.post(reverse("set_language"), {"language": "en", "next": page})

    # Then they come back to the same page, now in English
    assert response.status_code == 302
    assert response.url == page
    html = client.get(page).content.decode()
    assert '<html lang="en">' in html
    assert "Invoice titles" in html


@pytest.mark.django_db
def test_language_switch_works_on_the_login_page(client):
    html = client.get(reverse("login")).content.decode()
    assert f'action="{reverse("set_language")}"' in html
    assert 'value="en"' in html

    client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})

    assert '<html lang="en">' in client.get(reverse("login")).content.decode()


@pytest.mark.django_db
def test_unknown_page_shows_the_404_page_in_the_frame(client, customer):
    client.force_login(customer)

    response = client.get("/console/no-such-page/", **EN)

    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert f'href="{reverse("home")}"' in html


@pytest.mark.django_db
def test_customer_can_open_their_account_page(client):
    user = CustomerUserFactory(username="cust-a")
    client.force_login(user)

    html = client.get(reverse("account"), **EN).content.decode()

    assert "cust-a" in html
    assert user.customer_account.name in html


@pytest.mark.django_db
def test_the_top_bar_folds_language_and_logout_behind_one_toggle_without_javascript(client, customer):
    client.force_login(customer)
    html = client.get(reverse("console:invoiceable"), **EN).content.decode()

    # a checkbox and its label (no script) open the part of the top bar that holds language, account and logout
    toggle = html.index('id="topbar-toggle"')
    folded = html.index('<div class="topbar-right" id="topbar-right">')
    assert toggle < folded
    part = html[folded : html.index("</header>")]
    assert 'class="lang-switch"' in part and 'class="logout-form"' in part
    assert f'href="{reverse("account")}"' in part
    # and the page carries no inline script or event handler (the Content-Security-Policy forbids them)
    assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", html)
    assert not re.search(r"\son[a-z]+=", html)
