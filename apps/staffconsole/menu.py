"""The staff console's left menu: one entry per section, in order. A new section adds a line here.

`url_names` are the page names (namespace "staffconsole") that highlight the entry. The page frame shows them
(`{% main_menu %}`, apps/core/templatetags/frame.py), with each URL reversed once per process.
"""

from dataclasses import dataclass

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
