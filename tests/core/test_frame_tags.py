"""The page frame's tags (apps/core/templatetags/frame.py): URLs reversed once, the menu and the language switch
rendered once per language, role and current page — and still right for every page, role and language."""

import re

import pytest
from django.test import override_settings
from django.urls import reverse

from apps.core.templatetags import frame
from apps.core.templatetags.frame import fixed_url_for, url_for_id

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _menu(html: str) -> str:
    return html[html.index('<nav class="sidebar"') : html.index("</nav>")]


def test_fixed_url_is_the_reversed_url_and_is_reversed_once(monkeypatch):
    assert fixed_url_for("console:records") == reverse("console:records")

    calls = []
    monkeypatch.setattr(frame, "reverse", lambda *a, **k: calls.append(a) or "/x/")
    assert fixed_url_for("console:records") == reverse("console:records")  # from the process's table
    assert calls == []


def test_url_for_id_builds_what_reverse_gives():
    detail = url_for_id("console:record_detail")
    apply = url_for_id("console:apply")

    for pk in (1, 42, 9081726354, 10**12):
        assert detail(pk) == reverse("console:record_detail", args=[pk])
        assert apply(str(pk)) == reverse("console:apply", args=[pk])


def test_url_for_id_refuses_a_non_number():
    with pytest.raises(ValueError):
        url_for_id("console:record_detail")("1/../../admin")


def test_a_settings_change_forgets_the_cached_urls_and_markup():
    fixed_url_for("console:records")
    assert frame._urls

    with override_settings(LANGUAGE_CODE="en"):
        assert not frame._urls and not frame._markup


@pytest.mark.django_db
def test_the_customer_menu_marks_the_current_section_on_each_page(client, customer):
    client.force_login(customer)
    pages = {
        reverse("console:invoiceable"): "Invoiceable amounts",
        reverse("console:records"): "Invoice records",
        reverse("console:titles"): "Invoice titles",
        reverse("console:addresses"): "Mailing addresses",
        reverse("console:refunds"): "Refunds",
        reverse("console:debt"): "Refunds",
        reverse("console:tickets"): "Support tickets",
        reverse("console:withdrawals"): "Withdrawals",
        reverse("account"): "Account",
    }
    for page, current in pages.items():
        menu = _menu(client.get(page, **EN).content.decode())

        assert re.findall(r'class="active"[^>]*>([^<]+)</a>', menu) == [current], page
        assert 'href="/admin/"' not in menu and "staff-menu-" not in menu and 'data-testid="menu-refunds"' not in menu


@pytest.mark.django_db
def test_each_role_sees_its_own_menu(client, customer, vendor_user, staff_user):
    client.force_login(vendor_user)
    vendor_menu = _menu(client.get(reverse("backoffice:refunds"), **EN).content.decode())
    client.force_login(staff_user)
    staff_menu = _menu(client.get(reverse("staffconsole:vendors"), **EN).content.decode())
    client.force_login(customer)
    customer_menu = _menu(client.get(reverse("console:titles"), **EN).content.decode())

    assert f'href="{reverse("backoffice:mailing_import")}"' in vendor_menu
    assert f'<a href="{reverse("backoffice:refunds")}" class="active" data-testid="menu-refunds">' in vendor_menu
    assert "staff-menu-" not in vendor_menu and 'href="/admin/"' not in vendor_menu
    assert 'class="active" data-testid="staff-menu-vendors" aria-current="page"' in staff_menu
    assert 'href="/admin/"' in staff_menu and f'href="{reverse("backoffice:queue")}"' in staff_menu
    assert f'href="{reverse("backoffice:mailing_import")}"' not in staff_menu
    assert f'href="{reverse("backoffice:queue")}"' not in customer_menu
    assert f'<a href="{reverse("console:titles")}" class="active">Invoice titles</a>' in customer_menu


@pytest.mark.django_db
def test_the_menu_and_language_switch_follow_the_page_language(client, customer):
    client.force_login(customer)
    page = reverse("console:records")

    chinese = client.get(page).content.decode()
    english = client.get(page, **EN).content.decode()
    chinese_again = client.get(page).content.decode()

    assert "开票记录" in _menu(chinese) and "Invoice records" not in _menu(chinese)
    assert "Invoice records" in _menu(english) and "开票记录" not in _menu(english)
    assert _menu(chinese_again) == _menu(chinese)
    assert 'value="zh-hans" lang="zh-hans"\n                  class="lang-option is-current"' in chinese
    assert 'value="en" lang="en"\n                  class="lang-option is-current"' in english
    assert 'class="lang-option"\n                  >English</button>' in chinese


@pytest.mark.django_db
def test_the_frame_keeps_each_users_own_details(client, customer, other_customer):
    # The cached parts hold no user data: the name, the return path and the CSRF token are each page's own.
    client.force_login(customer)
    first = client.get(reverse("console:records") + "?page=2", **EN).content.decode()
    client.force_login(other_customer)
    second = client.get(reverse("console:records"), **EN).content.decode()

    assert customer.username in first and customer.username not in second
    assert other_customer.username in second
    assert 'name="next" value="/console/records/?page=2"' in first
    assert 'name="next" value="/console/records/"' in second
