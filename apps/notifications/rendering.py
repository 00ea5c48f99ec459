"""What a notification says, in its recipient's language, rendered when shown or mailed (never stored translated).

Params each kind reads (all optional; the request itself supplies number, amount, title, vendor and due date):
- at_risk: {"due": "YYYY-MM-DD", "working_days_left": int}
- breached / escalated: {"due": "YYYY-MM-DD"}
- due_date_changed: {"old": "YYYY-MM-DD", "new": "YYYY-MM-DD", "provisional": bool}
- audit_finding: {"finding_id": int, "finding_kind": "shipping_rule" | "money_invariant", "key": str,
  "summary": str}
Every text says what happened and what the reader can do about it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.core.money import format_cny

from .models import Notification


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    url: str


def render_notification(notification: Notification, *, absolute: bool = False, language: str = "") -> Rendered:
    """The subject, text and link of a notification in its recipient's language (e-mails), or in `language` (the
    page or API response being shown). Select recipient and invoice_request__vendor when rendering many."""
    recipient = notification.recipient
    with translation.override(language or recipient.language or settings.LANGUAGE_CODE):
        subject, text = _TEXTS[notification.kind](notification, _facts(notification))
        url = notification_target_url(notification)
    if absolute and url:
        url = _site_url() + url
    return Rendered(subject=subject, text=text, url=url)


def _site_url() -> str:
    return (getattr(settings, "SITE_URL", "") or "").rstrip("/")


def notification_target_url(notification: Notification) -> str:
    """The page the notification opens: the console record for customers, the back-office detail for vendors, the
    staff console for staff."""
    recipient = notification.recipient
    kind = notification.kind
    if recipient.is_marketplace_staff:
        if kind == Notification.Kind.AUDIT_FINDING:
            return _reverse_or("staffconsole:findings", "/staff/")
        if kind == Notification.Kind.ESCALATED:
            return _reverse_or("staffconsole:overdue", "/staff/")
    if notification.invoice_request_id is None:
        return ""
    if recipient.is_customer:
        return reverse("console:record_detail", args=[notification.invoice_request_id])
    return reverse("backoffice:detail", args=[notification.invoice_request_id])


def _reverse_or(name: str, fallback: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return fallback


def _facts(notification: Notification) -> dict:
    """The values the texts quote, formatted: money as ¥1,234.50, dates YYYY-MM-DD."""
    params = notification.params or {}
    request = notification.invoice_request
    facts = {key: value for key, value in params.items() if isinstance(value, str | int)}
    if request is not None:
        vendor = request.vendor
        contact = " / ".join(part for part in [vendor.contact_phone, vendor.contact_email] if part)
        facts.update(
            number=request.number,
            amount=format_cny(request.amount),
            title=(request.title_snapshot or {}).get("name", ""),
            vendor=vendor.name,
            contact=contact or "-",
            due=params.get("due") or (f"{request.dispatch_due_date:%Y-%m-%d}" if request.dispatch_due_date else "-"),
            reason=request.status_reason or "-",
        )
    return facts


def _request_line(facts: dict) -> str:
    # Translators: 开票申请 %(number)s：%(amount)s，抬头 %(title)s
    return _("Invoice request %(number)s: %(amount)s, title %(title)s") % facts


def _submitted(notification, facts):
    subject = _("New invoice request %(number)s") % facts
    request = notification.invoice_request
    lines = [
        _("A customer applied for a paper invoice of %(amount)s (%(title)s). Please mail it by %(due)s.") % facts,
        # The shipping rule in the same words as the queue and the detail page (寄付 / 可到付).
        _("Shipping rule: %(rule)s") % {"rule": request.get_shipping_rule_display()},
        _("Open the request to print it, then accept it, or reject it with a reason the customer can act on."),
    ]
    return subject, "\n".join(lines)


# The status each kind reports, named as the request's pages name it (the request may have moved on since).
_STATUS_OF_KIND = {
    Notification.Kind.ACCEPTED: "processing",
    Notification.Kind.REJECTED: "rejected",
    Notification.Kind.MAILED: "mailing",
    Notification.Kind.CANCELLED: "cancelled",
}


def _status_subject(notification, facts):
    from apps.invoices.models import InvoiceRequest

    return _("Invoice request %(number)s: %(status)s") % {
        "number": facts["number"],
        "status": InvoiceRequest.Status(_STATUS_OF_KIND[notification.kind]).label,
    }


def _accepted(notification, facts):
    lines = [
        _("%(vendor)s accepted your request and is preparing the invoice. They mail it by %(due)s.") % facts,
        _("Nothing to do for now; you will hear from us when it is mailed."),
        _request_line(facts),
    ]
    return _status_subject(notification, facts), "\n".join(lines)


def _rejected(notification, facts):
    lines = [
        _("%(vendor)s rejected your request.") % facts,
        _("Reason: %(reason)s") % facts,
        _(
            "The amount is invoiceable again: correct what the reason names (for example the title) and apply "
            "again, or contact %(vendor)s: %(contact)s."
        )
        % facts,
        _request_line(facts),
    ]
    return _status_subject(notification, facts), "\n".join(lines)


def _mailed(notification, facts):
    request = notification.invoice_request
    lines = [_("%(vendor)s mailed your invoice.") % facts]
    if request.tracking_number:
        lines.append(
            _("Courier: %(courier)s, tracking number %(tracking)s")
            % {"courier": request.get_courier_label(), "tracking": request.tracking_number}
        )
    if request.shipping_payer:
        # The payer in the same words as the request's page (服务商付费 / 到付): cash on delivery costs them.
        lines.append(_("Shipping paid by: %(payer)s") % {"payer": request.get_shipping_payer_display()})
    lines.append(
        _("Track the parcel with the courier; if it does not arrive, contact %(vendor)s: %(contact)s.") % facts
    )
    lines.append(_request_line(facts))
    return _status_subject(notification, facts), "\n".join(lines)


def _cancelled(notification, facts):
    lines = [_("The customer cancelled this request before you accepted it; its amount is invoiceable again.")]
    if notification.invoice_request.status_reason:
        lines.append(_("Reason: %(reason)s") % facts)
    lines.append(_("Do not issue or mail this invoice; nothing else to do."))
    lines.append(_request_line(facts))
    return _status_subject(notification, facts), "\n".join(lines)


def _at_risk(notification, facts):
    facts = {"working_days_left": "-", **facts}
    # Translators: 请在 %(due)s 前寄出开票申请 %(number)s
    subject = _("Mail invoice request %(number)s by %(due)s") % facts
    days_left = facts["working_days_left"]
    lines = [
        ngettext(
            "Its mail-by date is %(due)s: %(working_days_left)s working day left.",
            "Its mail-by date is %(due)s: %(working_days_left)s working days left.",
            days_left if isinstance(days_left, int) else 2,
        )
        % facts,
        _(
            "Mail it and enter the tracking number before then. After that date the customer and marketplace "
            "staff are told it is late."
        ),
        _request_line(facts),
    ]
    return subject, "\n".join(lines)


def _breached(notification, facts):
    # Translators: 开票申请 %(number)s 已逾期
    subject = _("Invoice request %(number)s is late") % facts
    if notification.recipient.is_customer:
        lines = [
            # Translators: %(vendor)s 未在最晚寄出日期 %(due)s 前寄出您的发票（服务商已逾期）。
            _("%(vendor)s has not mailed your invoice by its mail-by date, %(due)s.") % facts,
            # Translators: 请联系 %(vendor)s：%(contact)s。平台工作人员已收到通知并将跟进。
            _("Contact %(vendor)s about it: %(contact)s. Marketplace staff have been told and follow up.") % facts,
            _request_line(facts),
        ]
    else:
        lines = [
            _("You missed its mail-by date, %(due)s. The customer and marketplace staff have been told.") % facts,
            _("Mail it as soon as you can and enter the tracking number, so the customer can follow the parcel."),
            _request_line(facts),
        ]
    return subject, "\n".join(lines)


def _escalated(notification, facts):
    # Translators: %(vendor)s 未按时寄出 %(number)s
    subject = _("%(vendor)s missed the mail-by date of %(number)s") % facts
    lines = [
        _("%(vendor)s did not mail it by %(due)s; the vendor and the customer have been told.") % facts,
        _("Follow up with %(vendor)s: %(contact)s. The staff console lists every overdue request.") % facts,
        _request_line(facts),
    ]
    return subject, "\n".join(lines)


def _due_date_changed(notification, facts):
    facts = {"old": "-", "new": facts.get("due", "-"), **facts}
    if facts["old"] == facts["new"]:
        # Only the provisional flag went: the year's schedule was entered and the date stays.
        # Translators: %(number)s 的最晚寄出日期已确定：%(new)s
        subject = _("Mail-by date of %(number)s confirmed: %(new)s") % facts
        lines = [_("The holiday schedule was entered, so the mail-by date %(new)s is now final.") % facts]
    else:
        # Translators: %(number)s 的最晚寄出日期改为 %(new)s
        subject = _("New mail-by date for %(number)s: %(new)s") % facts
        lines = [_("The holiday calendar was updated, so the mail-by date moved from %(old)s to %(new)s.") % facts]
    if notification.params.get("provisional"):
        lines.append(_("It is still provisional until next year's holiday schedule is published."))
    if notification.recipient.is_customer:
        lines.append(_("Nothing to do; the vendor mails the invoice by the new date."))
    else:
        lines.append(_("Plan the mailing for the new date; the queue shows it already."))
    lines.append(_request_line(facts))
    return subject, "\n".join(lines)


def _audit_finding(notification, facts):
    kind = facts.get("finding_kind", "")
    # Imported here: apps.invoices.sla imports this app's services, which render through this module.
    from apps.invoices.models import AuditFinding
    from apps.invoices.sla import audit_finding_summary

    label = str(AuditFinding.Kind(kind).label) if kind in AuditFinding.Kind.values else _("Audit finding")
    # Translators: 审计发现：%(label)s
    subject = _("Audit finding: %(label)s") % {"label": label}
    lines = [_("The nightly audit found: %(label)s.") % {"label": label}]
    params = notification.params or {}
    if "details" in params and kind in AuditFinding.Kind.values:
        finding = AuditFinding(
            kind=kind, details=params["details"], invoice_request_id=params.get("finding_request_id")
        )
        lines.append(audit_finding_summary(finding=finding))
    elif facts.get("summary"):
        lines.append(str(facts["summary"]))
    if facts.get("number"):
        lines.append(_request_line(facts))
    lines.append(_("Check it, correct the data if needed, then acknowledge it in the staff console."))
    return subject, "\n".join(lines)


_TEXTS = {
    Notification.Kind.SUBMITTED: _submitted,
    Notification.Kind.ACCEPTED: _accepted,
    Notification.Kind.REJECTED: _rejected,
    Notification.Kind.MAILED: _mailed,
    Notification.Kind.CANCELLED: _cancelled,
    Notification.Kind.AT_RISK: _at_risk,
    Notification.Kind.BREACHED: _breached,
    Notification.Kind.ESCALATED: _escalated,
    Notification.Kind.DUE_DATE_CHANGED: _due_date_changed,
    Notification.Kind.AUDIT_FINDING: _audit_finding,
}
