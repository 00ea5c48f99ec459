"""The queue's cells that have logic, built in Python once per row: the same HTML, byte for byte, as the partials
`backoffice/_shipping.html`, `backoffice/_deadline.html` (with `console/_provisional.html`) and
`console/_status_badge.html` print for one request (tests/backoffice/test_queue_cells.py compares them).

A page of 25 rows included those partials 75 times; through the template engine that was most of the page's time.
`QueueTable` writes the whole rows of the queue's table the same way.
The other pages (a request's detail, the mail form) still include the partials; their words come from the same
translation catalog entries (the same msgids), so both read alike in every language.
"""

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext, pgettext

from apps.core.money import format_cny
from apps.core.templatetags.money import money
from apps.invoices.models import VENDOR_PAYS_SHIPPING_FROM, InvoiceRequest

_MARKER = 2147483647  # a pk no request has: reversed once, then replaced by each row's pk


def pk_url(name: str) -> Callable[[int], str]:
    """`{% url name pk %}` for many rows with one reverse(): returns pk -> URL."""
    head, tail = reverse(name, args=[_MARKER]).split(str(_MARKER))
    return lambda pk: f"{head}{pk}{tail}"


def _date(day: dt.date) -> str:
    """`{{ day|date:"Y-m-d" }}`."""
    return day.strftime("%Y-%m-%d")


def submitted_text(moment: dt.datetime) -> str:
    """`{{ moment|date:"Y-m-d H:i" }}`: in the current time zone, as the template shows it."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


class QueueCells:
    """Per page: the words every row shares, translated once in the active language. Per row: its cells."""

    def __init__(self) -> None:
        threshold = conditional_escape(format_cny(VENDOR_PAYS_SHIPPING_FROM))  # {% shipping_threshold %}
        # {% blocktranslate %}: the catalog's words as they are, the variable escaped.
        self.vendor_pays_title = gettext("At %(threshold)s or more the vendor pays shipping.") % {
            "threshold": threshold
        }
        self.cod_title = gettext("Below %(threshold)s the vendor may send it cash on delivery.") % {
            "threshold": threshold
        }
        # {% translate %}: escaped.
        self.provisional = (
            '\n<span class="tag-provisional" data-testid="provisional" title="'
            + escape(
                gettext(
                    "Counted before the official holiday schedule of that year was known: it may still move when "
                    "the calendar is updated."
                )
            )
            + '">\n\n'
            + escape(pgettext("mail-by date", "provisional"))
            + "</span>"
        )
        self.overdue = escape(gettext("Overdue"))
        self.due_today = escape(gettext("Due today"))
        self._payer_labels: dict[str, str] = {}
        self._rule_labels: dict[str, str] = {}
        self._status_labels: dict[str, str] = {}

    def shipping(self, record: InvoiceRequest) -> SafeString:
        """backoffice/_shipping.html (without `rule_only`)."""
        if record.shipping_payer:
            payer = record.shipping_payer
            if payer not in self._payer_labels:
                self._payer_labels[payer] = conditional_escape(record.get_shipping_payer_display())
            html = f'<span data-payer="{escape(payer)}">{self._payer_labels[payer]}</span>\n'
        else:
            rule = record.shipping_rule
            if rule not in self._rule_labels:
                self._rule_labels[rule] = conditional_escape(record.get_shipping_rule_display())
            if rule == "vendor_pays":
                html = (
                    f'<span data-rule="vendor_pays" title="{self.vendor_pays_title}">{self._rule_labels[rule]}</span>\n'
                )
            else:
                html = f'<span data-rule="cod_allowed" title="{self.cod_title}">{self._rule_labels[rule]}</span>'
        return mark_safe(f"\n{html}\n")  # noqa: S308 - every variable part is escaped above

    def deadline(self, record: InvoiceRequest) -> SafeString:
        """backoffice/_deadline.html for a request decorated by `with_deadlines` (is_overdue, overdue_days,
        days_left)."""
        html = f'\n<span class="mono">{_date(record.dispatch_due_date)}</span>'
        html += self.provisional if record.dispatch_due_date_provisional else ""
        html += "\n\n"  # the partial's last line break, then the line's
        if record.is_overdue:
            if record.overdue_days:
                days = record.overdue_days
                words = ngettext("Overdue by %(days)s working day", "Overdue by %(days)s working days", days) % {
                    "days": days
                }
            else:
                words = self.overdue
            html += f'\n  <span class="deadline deadline-overdue" data-testid="overdue-marker">⚠ {words}</span>\n'
        elif record.days_left == 0:
            today = self.due_today
            html += f'\n  <span class="deadline deadline-soon" data-testid="days-left" data-days="0">{today}</span>\n'
        elif record.days_left is not None:
            days = record.days_left
            soon = " deadline-soon" if days <= 2 else ""
            words = ngettext("%(days)s working day left", "%(days)s working days left", days) % {"days": days}
            html += f'\n  <span class="deadline{soon}" data-testid="days-left" data-days="{days}">{words}</span>\n'
        return mark_safe(html + "\n")  # noqa: S308 - dates, numbers and the catalog's words

    def status_badge(self, record: InvoiceRequest) -> SafeString:
        """console/_status_badge.html with the request's status and its label."""
        status = record.status
        if status not in self._status_labels:
            self._status_labels[status] = conditional_escape(record.get_status_display())
        status_text = escape(status)
        return mark_safe(  # noqa: S308 - escaped above
            f'\n<span class="badge badge-{status_text}" data-testid="status-badge" data-status="{status_text}">'
            f"{self._status_labels[status]}</span>\n"
        )


def text(value) -> str:
    """`{{ value }}`: local time for a datetime, localized, then escaped unless already safe (None prints "None")."""
    if isinstance(value, str):
        return conditional_escape(value)
    if type(value) is int and not settings.USE_THOUSAND_SEPARATOR:
        return str(value)  # what localize() makes of it, without the format lookups
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    value = localize(value)
    return conditional_escape(value if isinstance(value, str) else str(value))


def _snapshot(snapshot, key: str):
    """`{{ row.title_snapshot.name }}`: "" when the snapshot or the key is missing."""
    try:
        return snapshot[key]
    except (TypeError, KeyError, IndexError):
        return ""


class QueueTable:
    """The `<tbody>` rows of backoffice/queue.html for one page, in Python: one string instead of some 40 template
    nodes per row. The markup and its whitespace are the template's as it was (a row per request; `data-label`
    gives each cell its heading in the phones' stacked cards); the words are the catalog's, translated once."""

    def __init__(self, *, read_only: bool) -> None:
        self.read_only = read_only
        self.cells = QueueCells()
        self.detail = pk_url("backoffice:detail")
        if not read_only:
            self.accept, self.reject, self.mail = (
                pk_url("backoffice:accept"),
                pk_url("backoffice:reject"),
                pk_url("backoffice:mail"),
            )
        # {% translate "…" %} in an attribute or a cell: escaped.
        self.labels = {
            name: escape(gettext(words))
            for name, words in {
                "number": "Request number",
                "vendor": "Vendor",
                "account": "Customer account",
                "title": "Invoice title",
                "amount": "Amount",
                "shipping": "Shipping rule",
                "mail_by": "Mail by",
                "status": "Status",
                "actions": "Actions",
                "accept": "Accept",
                "reject": "Reject",
                "mark_mailed": "Mark mailed",
                "details": "Details",
            }.items()
        }
        self.select = gettext("Select %(number)s")  # {% blocktranslate with number=row.number %}

    def row(self, row: InvoiceRequest) -> str:
        """One `<tr>`, for a request decorated by `with_deadlines`."""
        label, cells, pk, status = self.labels, self.cells, row.pk, escape(row.status)
        overdue = row.is_overdue
        pending, processing = row.status == "pending", row.status == "processing"
        detail = self.detail(pk)
        row_class, overdue_attr = ("row-overdue", ' data-overdue="true"') if overdue else ("", "")
        html = [
            f'\n          <tr id="request-{pk}" class="{row_class}" data-testid="queue-row" data-request-id="{pk}" '
            f'data-status="{status}"{overdue_attr}>\n            '
        ]
        if not self.read_only:
            check = ""
            if pending:
                select = self.select % {"number": text(row.number)}
                check = (
                    f'<input type="checkbox" form="bulk-form" name="request_ids" value="{pk}" id="select-{pk}" '
                    f'aria-label="{select}">'
                )
            html.append(f'\n              <td class="check-col">{check}</td>\n            ')
        html.append(
            f'\n            <td data-label="{label["number"]}"><div class="cell"><a href="{detail}" class="mono" '
            f'data-testid="request-link">{text(row.number or pk)}</a><span class="sub">'
            f"{submitted_text(row.submitted_at)}</span></div></td>\n            "
        )
        if self.read_only:
            html.append(f'<td data-label="{label["vendor"]}">{text(row.vendor.name)}</td>')
        taxpayer = _snapshot(row.title_snapshot, "taxpayer_id")
        taxpayer = f'<span class="sub mono">{text(taxpayer)}</span>' if taxpayer else ""
        html.append(
            f'\n            <td data-label="{label["account"]}">{text(row.customer_account.name)}</td>\n'
            f'            <td data-label="{label["title"]}"><div class="cell">'
            f"{text(_snapshot(row.title_snapshot, 'name'))}{taxpayer}</div></td>\n"
            f'            <td class="num money" data-label="{label["amount"]}" data-testid="row-amount">'
            f"{text(money(row.amount))}</td>\n"
            f'            <td data-label="{label["shipping"]}"><div class="cell">{cells.shipping(row)}</div></td>\n'
            f'            <td data-label="{label["mail_by"]}"><div class="cell">{cells.deadline(row)}</div></td>\n'
            f'            <td data-label="{label["status"]}">{cells.status_badge(row)}</td>\n'
            f'            <td class="actions" data-label="{label["actions"]}">\n              '
        )
        if not self.read_only:
            html.append("\n                ")
            if pending:
                html.append(
                    f'\n                  <button type="submit" form="bulk-form" class="btn btn-primary btn-sm" '
                    f'formaction="{self.accept(pk)}" data-testid="row-accept" id="accept-{pk}">{label["accept"]}'
                    f"</button>\n"
                    f'                  <a class="btn btn-link btn-sm btn-danger" href="{self.reject(pk)}" '
                    f'data-testid="row-reject">{label["reject"]}</a>\n                '
                )
            elif processing:
                html.append(
                    f'\n                  <a class="btn btn-sm" href="{self.mail(pk)}" data-testid="row-mail">'
                    f"{label['mark_mailed']}</a>\n                "
                )
            html.append("\n              ")
        html.append("\n              ")
        if self.read_only or not (pending or processing):
            html.append(
                f'\n                <a class="btn btn-link btn-sm" href="{detail}" data-testid="row-detail">'
                f"{label['details']}</a>\n              "
            )
        html.append("\n            </td>\n          </tr>\n        ")
        return "".join(html)

    def render(self, rows: list[InvoiceRequest]) -> SafeString:
        return mark_safe("".join(self.row(row) for row in rows))  # noqa: S308 - every variable part is escaped
