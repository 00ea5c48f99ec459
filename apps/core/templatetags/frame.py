"""The page frame of templates/base.html: the left menu, the language switch and the frame's fixed links.

The frame is on every page, so it is built cheaply: a URL without arguments is reversed once per process (URLs do not
change while it runs), and the menu and the language buttons are rendered once per language, role and current page
and then reused. That markup holds nothing but those keys (no user name, no count, no token), so a reused copy is the
same for everyone who gets it; labels are still translated in each page's language, which is part of the key.

    {% load frame %}
    <a href="{% fixed_url 'home' %}">            the URL of a route without arguments
    <link href="{% static_url 'css/app.css' %}">  a static file's URL
    {% main_menu "sections" %}                   the role's sections, the current one marked (templates/_menu.html)
    {% main_menu "footer" %}                     administration, account and API docs
    {% language_options %}                       one button per language (templates/_language_options.html)
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext_lazy as _

register = template.Library()

# Process-wide: {(urlconf, script prefix, name): escaped URL or (prefix, suffix) of one taking an id} and
# {key: rendered markup}. Both stay small (a few names; languages x roles x menu entries) and are emptied when a test
# changes settings.
_urls: dict[tuple, SafeString | tuple[str, str]] = {}
_markup: dict[tuple, SafeString] = {}
_MARKUP_LIMIT = 2000  # a safety net only: the keys above are a few dozen


@receiver(setting_changed)
def _forget(**kwargs) -> None:
    _urls.clear()
    _markup.clear()


def fixed_url_for(name: str) -> SafeString:
    """`reverse(name)` (HTML-escaped, as `{% url %}` prints it), reversed once per URLconf and script prefix."""
    key = (get_urlconf(), get_script_prefix(), name)
    url = _urls.get(key)
    if url is None:
        url = _urls[key] = conditional_escape(reverse(name))
    return url


_ID_MARKER = 9081726354  # stands for the id while reversing once; digits, so that an <int:...> route takes it


def url_for_id(name: str) -> Callable[[int | str], str]:
    """`url_for_id("console:record_detail")(pk)` == `reverse("console:record_detail", args=[pk])` for a route with one
    id argument, reversed once per URLconf and script prefix: a page of rows links each row without a reverse each."""
    key = (get_urlconf(), get_script_prefix(), name, "id")
    parts = _urls.get(key)
    if parts is None:
        url = reverse(name, args=[_ID_MARKER])
        if url.count(str(_ID_MARKER)) != 1:
            raise ValueError(f"{name}: cannot build its URLs from {url!r}")
        parts = _urls[key] = tuple(url.split(str(_ID_MARKER)))
    prefix, suffix = parts
    return lambda pk: f"{prefix}{int(pk)}{suffix}"


@register.simple_tag
def fixed_url(name: str) -> SafeString:
    """`{% fixed_url "console:records" %}`: like `{% url %}` for a route without arguments, without the reverse."""
    return fixed_url_for(name)


@register.simple_tag
def static_url(path: str) -> SafeString:
    """`{% static_url "css/app.css" %}`: like `{% static %}`, looked up once per process (the static files and their
    manifest do not change while it runs)."""
    key = ("static", path)
    url = _urls.get(key)
    if url is None:
        url = _urls[key] = conditional_escape(static(path))
    return url


def _memo(key: tuple, build: Callable[[], str]) -> SafeString:
    markup = _markup.get(key)
    if markup is None:
        if len(_markup) >= _MARKUP_LIMIT:
            _markup.clear()
        markup = _markup[key] = mark_safe(build())
    return markup


# --- the menu ----------------------------------------------------------------------------------------------------


def _pages(namespace: str, *names: str) -> Callable[[str, str], bool]:
    """Current on these pages of one namespace."""
    return lambda ns, name: ns == namespace and name in names


def _backoffice_queue(ns: str, name: str) -> bool:
    """The queue and its request pages: every back-office page but refunds, returns, mailing import and profile."""
    return ns == "backoffice" and name not in ("mailing_import", "profile") and name[:6] not in ("refund", "return")


@dataclass(frozen=True)
class MenuItem:
    """One menu link. `url_name` is reversed (once); `path` is used as it is. `is_current(namespace, url_name)`
    marks it (class "active"); None: a plain link without the class. `aria_current`: also say so to screen readers."""

    label: str
    url_name: str = ""
    path: str = ""
    is_current: Callable[[str, str], bool] | None = None
    testid: str = ""
    secondary: bool = False  # on phones these live in the top bar's menu (li.menu-secondary)
    aria_current: bool = False


CUSTOMER_MENU = (
    MenuItem(
        _("Invoiceable amounts"),
        "console:invoiceable",
        is_current=_pages("console", "invoiceable", "apply", "apply_confirm"),
    ),
    MenuItem(
        _("Invoice records"),
        "console:records",
        is_current=_pages("console", "records", "record_detail", "record_cancel"),
    ),
    MenuItem(
        _("Invoice titles"),
        "console:titles",
        is_current=_pages("console", "titles", "title_add", "title_edit", "title_delete"),
    ),
    MenuItem(
        _("Mailing addresses"),
        "console:addresses",
        is_current=_pages("console", "addresses", "address_add", "address_edit", "address_delete"),
    ),
    MenuItem(_("Refunds"), "console:refunds", is_current=_pages("console", "refunds", "debt")),
    MenuItem(
        _("Support tickets"), "console:tickets", is_current=_pages("console", "tickets", "ticket_new", "ticket_detail")
    ),
    MenuItem(_("Withdrawals"), "console:withdrawals", is_current=_pages("console", "withdrawals")),
)

# Vendors and marketplace staff.
BACKOFFICE_MENU = (
    MenuItem(_("Invoice request queue"), "backoffice:queue", is_current=_backoffice_queue),
    MenuItem(
        # Translators: 退款申请
        _("Refund requests"),
        "backoffice:refunds",
        is_current=lambda ns, name: ns == "backoffice" and name[:6] == "refund",
        testid="menu-refunds",
    ),
    MenuItem(
        # Translators: 退票
        _("Invoice returns"),
        "backoffice:returns",
        is_current=lambda ns, name: ns == "backoffice" and name[:6] == "return",
        testid="menu-returns",
    ),
)

VENDOR_MENU = (
    MenuItem(_("Import mailing CSV"), "backoffice:mailing_import", is_current=_pages("backoffice", "mailing_import")),
    MenuItem(_("Vendor profile"), "backoffice:profile", is_current=_pages("backoffice", "profile")),
)

ADMIN_ITEM = MenuItem(_("Administration"), path="/admin/")
FOOTER_MENU = (
    MenuItem(_("Account"), "account", is_current=lambda ns, name: name == "account", secondary=True),
    MenuItem(_("API docs"), "api-docs", secondary=True),
)


@cache
def _staff_menu() -> tuple[MenuItem, ...]:
    from apps.staffconsole.menu import STAFF_MENU  # the staff console's sections (apps/staffconsole/menu.py)

    return tuple(
        MenuItem(
            entry.label,
            f"staffconsole:{entry.url_name}",
            is_current=_pages("staffconsole", *entry.url_names),
            testid=f"staff-menu-{entry.url_name}",
            aria_current=True,
        )
        for entry in STAFF_MENU
    )


def menu_items(part: str, *, customer: bool, vendor: bool, staff: bool) -> tuple[MenuItem, ...]:
    """The entries of the menu's part ("sections" or "footer") for a user with these roles, in the menu's order."""
    if part == "footer":
        return ((ADMIN_ITEM,) if staff else ()) + FOOTER_MENU
    items: tuple[MenuItem, ...] = CUSTOMER_MENU if customer else ()
    if staff:
        items += _staff_menu()
    if vendor or staff:
        items += BACKOFFICE_MENU
    if vendor:
        items += VENDOR_MENU
    return items


def _render_menu(items: tuple[MenuItem, ...], current: tuple[int, ...]) -> str:
    links = [
        {
            "url": fixed_url_for(item.url_name) if item.url_name else item.path,
            "label": item.label,
            "markable": item.is_current is not None,
            "current": index in current,
            "testid": item.testid,
            "secondary": item.secondary,
            "aria_current": item.aria_current,
        }
        for index, item in enumerate(items)
    ]
    return render_to_string("_menu.html", {"links": links})


@register.simple_tag(takes_context=True)
def main_menu(context, part: str) -> SafeString:
    """The signed-in user's menu links (`part`: "sections" or "footer"), the current page's marked."""
    request = context.get("request")
    user = context.get("user") or getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return SafeString("")
    roles = (bool(user.is_customer), bool(user.is_vendor), bool(user.is_marketplace_staff))
    items = menu_items(part, customer=roles[0], vendor=roles[1], staff=roles[2])
    match = getattr(request, "resolver_match", None)
    namespace, url_name = (match.namespace or "", match.url_name or "") if match is not None else ("", "")
    current = tuple(
        index
        for index, item in enumerate(items)
        if item.is_current is not None and item.is_current(namespace, url_name)
    )
    key = ("menu", get_language(), get_urlconf(), get_script_prefix(), part, roles, current)
    return _memo(key, lambda: _render_menu(items, current))


# --- the language switch ------------------------------------------------------------------------------------------


@register.simple_tag
def language_options() -> SafeString:
    """One submit button per language (its own name), the current one marked; the form around it is the page's."""
    language = get_language()
    languages = tuple(code for code, _name in settings.LANGUAGES)

    def build() -> str:
        options = [{"code": code, "name_local": get_language_info(code)["name_local"]} for code in languages]
        return render_to_string("_language_options.html", {"languages": options, "current": language})

    return _memo(("languages", language, languages), build)
