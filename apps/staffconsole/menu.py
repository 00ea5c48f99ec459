"""The staff console's left menu: one entry per section, in order. A new section adds a line here.

`url_names` are the page names (namespace "staffconsole") that highlight the entry.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class MenuEntry:
    label: str
    url_name: str
    url_names: tuple[str, ...]


STAFF_MENU: tuple[MenuEntry, ...] = (
    # Translators: 逾期申请
    MenuEntry(_("Overdue requests"), "overdue", ("overdue",)),
    # Translators: 服务商履约
    MenuEntry(_("Vendor on-time rates"), "vendors", ("vendors",)),
    # Translators: 稽核发现
    MenuEntry(_("Audit findings"), "findings", ("findings", "finding_acknowledge")),
    # Translators: 工作日历
    MenuEntry(_("Working-day calendar"), "calendar", ("calendar", "calendar_edit", "calendar_delete")),
    # Translators: 工单
    MenuEntry(_("Support tickets"), "tickets", ("tickets", "ticket_detail", "ticket_void")),
    # Translators: 提现
    MenuEntry(_("Withdrawals"), "withdrawals", ("withdrawals", "withdrawal_pay", "withdrawal_reject")),
)


@dataclass(frozen=True)
class MenuLink:
    label: str
    url: str
    active: bool
    url_name: str


def staff_menu(request) -> list[MenuLink]:
    """The entries with their URLs and which one is the current page's."""
    match = getattr(request, "resolver_match", None)
    in_console = match is not None and match.namespace == "staffconsole"
    return [
        MenuLink(
            label=entry.label,
            url=reverse(f"staffconsole:{entry.url_name}"),
            active=in_console and match.url_name in entry.url_names,
            url_name=entry.url_name,
        )
        for entry in STAFF_MENU
    ]
