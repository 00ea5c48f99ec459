"""What a notification says, in its recipient's language, rendered when shown or mailed (never stored translated).

Params each kind reads (all optional; the request itself supplies number, amount, title, vendor and due date):
- at_risk: {"due": "YYYY-MM-DD", "working_days_left": int}
- breached / escalated: {"due": "YYYY-MM-DD"}
- due_date_changed: {"old": "YYYY-MM-DD", "new": "YYYY-MM-DD", "provisional": bool}
- audit_finding: {"finding_id": int, "finding_kind": "shipping_rule" | "money_invariant", "key": str,
  "summary": str}
- refund_*: {"refund_id", "refund_amount": "123.45", "vendor_name", "account_name", "reason", "debt": "0.00"}
- withdrawal_*: {"withdrawal_id", "withdrawal_amount": "123.45", "account_name", "bank_tail", "reason"}
- return_*: {"return_id": int} (return_agreed with {"reopened": 1}: the vendor put a never-mailed request back)
- ticket_*: {"ticket_id": int, "subject": str, "message_id": int}; voided: {"ticket_id", "purpose", "void_reason"}
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
    ticket_id = (notification.params or {}).get("ticket_id")
    if ticket_id and kind in _TICKET_KINDS:
        if recipient.is_marketplace_staff:
            return _reverse_or("staffconsole:ticket_detail", "/staff/", args=[ticket_id])
        if recipient.is_customer:
            return _reverse_or("console:ticket_detail", "", args=[ticket_id])
    return_id = (notification.params or {}).get("return_id")
    if return_id and kind in _RETURN_KINDS and not (notification.params or {}).get("reopened"):
        name = "console:return_detail" if recipient.is_customer else "backoffice:return_detail"
        url = _reverse_or(name, "", args=[return_id])
        if url:
            return url
    if kind in _MONEY_KINDS:  # refunds and withdrawals: their list pages (no request behind them)
        if recipient.is_marketplace_staff:
            return _reverse_or("staffconsole:withdrawals", "/staff/")
        if recipient.is_customer:
            name = "console:withdrawals" if kind.startswith("withdrawal") else "console:refunds"
            return _reverse_or(name, "")
        refund_id = (notification.params or {}).get("refund_id")
        if refund_id:
            return _reverse_or("backoffice:refund_detail", "", args=[refund_id])
        return _reverse_or("backoffice:refunds", "")
    if notification.invoice_request_id is None:
        return ""
    if recipient.is_customer:
        return reverse("console:record_detail", args=[notification.invoice_request_id])
    return reverse("backoffice:detail", args=[notification.invoice_request_id])


_TICKET_KINDS = ("ticket_opened", "ticket_replied", "ticket_resolved")
_RETURN_KINDS = ("return_requested", "return_agreed", "return_declined", "return_shipped", "return_received")
_MONEY_KINDS = (
    "refund_requested",
    "refund_approved",
    "refund_rejected",
    "withdrawal_requested",
    "withdrawal_paid",
    "withdrawal_rejected",
)


def _reverse_or(name: str, fallback: str, args=None) -> str:
    try:
        return reverse(name, args=args)
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


def _money_facts(facts: dict) -> dict:
    """Refund and withdrawal params carry amounts as plain decimals; quote them as ¥1,234.50."""
    money = {key: format_cny(facts[key]) for key in ("refund_amount", "withdrawal_amount", "debt") if key in facts}
    defaults = {"vendor_name": "-", "account_name": "-", "bank_tail": "-"}
    return {**defaults, **facts, **money, "reason": facts.get("reason") or "-"}


def _refund_requested(notification, facts):
    facts = _money_facts(facts)
    # Translators: %(account_name)s 申请退款 %(refund_amount)s
    subject = _("%(account_name)s asks for a refund of %(refund_amount)s") % facts
    lines = [
        _("%(account_name)s asked for a refund of %(refund_amount)s of their consumption with you.") % facts,
        _("Reason: %(reason)s") % facts,
        _("Open the refund requests to approve it, or reject it with a reason the customer can act on."),
    ]
    return subject, "\n".join(lines)


def _refund_approved(notification, facts):
    facts = _money_facts(facts)
    # Translators: %(vendor_name)s 已批准退款 %(refund_amount)s
    subject = _("%(vendor_name)s approved your refund of %(refund_amount)s") % facts
    lines = [_("%(refund_amount)s was refunded; it is now in your withdrawable balance.") % facts]
    if facts.get("debt") and facts["debt"] != format_cny(0):
        lines.append(
            _(
                "Your invoices with %(vendor_name)s now exceed what you consumed by %(debt)s (invoice debt). Until "
                "you return (or cancel) enough of them you cannot apply for new invoices with this vendor or withdraw."
            )
            % facts
        )
        lines.append(_("The invoice debt notice in the console lists which invoices to return or cancel."))
    else:
        lines.append(_("You can withdraw it from the withdrawals page."))
    return subject, "\n".join(lines)


def _refund_rejected(notification, facts):
    facts = _money_facts(facts)
    # Translators: %(vendor_name)s 拒绝了退款 %(refund_amount)s
    subject = _("%(vendor_name)s rejected your refund of %(refund_amount)s") % facts
    lines = [
        _("Reason: %(reason)s") % facts,
        _("Correct what the vendor asks and request the refund again, or contact the vendor."),
    ]
    return subject, "\n".join(lines)


def _withdrawal_requested(notification, facts):
    facts = _money_facts(facts)
    # Translators: %(account_name)s 申请提现 %(withdrawal_amount)s
    subject = _("%(account_name)s asks to withdraw %(withdrawal_amount)s") % facts
    lines = [
        _("%(account_name)s asked to be paid %(withdrawal_amount)s of refunds to the account ending %(bank_tail)s.")
        % facts,
        _("Pay it by bank transfer and mark it paid in the staff console, or reject it with a reason."),
    ]
    return subject, "\n".join(lines)


def _withdrawal_paid(notification, facts):
    facts = _money_facts(facts)
    # Translators: 提现 %(withdrawal_amount)s 已付款
    subject = _("Withdrawal of %(withdrawal_amount)s paid") % facts
    lines = [
        _("Marketplace staff paid %(withdrawal_amount)s to your account ending %(bank_tail)s.") % facts,
        _("Nothing to do; if it has not arrived in a few working days, contact marketplace support."),
    ]
    return subject, "\n".join(lines)


def _withdrawal_rejected(notification, facts):
    facts = _money_facts(facts)
    # Translators: 提现 %(withdrawal_amount)s 被拒绝
    subject = _("Withdrawal of %(withdrawal_amount)s rejected") % facts
    lines = [
        _("Reason: %(reason)s") % facts,
        _("The amount is back in your withdrawable balance; correct the bank details and request it again."),
    ]
    return subject, "\n".join(lines)


# --- invoice returns, support tickets, voiding (apps.refunds: returns, tickets, voiding) -------------------------


def _rt_facts(facts: dict) -> dict:
    return {"number": "-", "vendor": "-", "contact": "-", "return_id": "-", "ticket_id": "-", "subject": "-", **facts}


def _return_requested(notification, facts):
    facts = _rt_facts(facts)
    # Translators: 客户申请退回发票 %(number)s
    subject = _("The customer asks to return the invoice of %(number)s") % facts
    lines = [
        _("The customer wants to send the invoice of %(number)s back to you (return RT%(return_id)s).") % facts,
        _(
            "Open the return to agree (say whether it was your fault: then you pay return postage) or decline it with "
            "a reason. If you never mailed it, put the request back in your queue instead."
        ),
        _request_line(facts),
    ]
    return subject, "\n".join(lines)


def _return_agreed(notification, facts):
    facts = _rt_facts(facts)
    if (notification.params or {}).get("reopened"):
        # Translators: %(vendor)s 已将申请 %(number)s 退回待处理
        subject = _("%(vendor)s put request %(number)s back in its queue") % facts
        lines = [
            _("%(vendor)s had not mailed the invoice yet, so it put the request back to pending instead of a return.")
            % facts,
            _("Reason: %(reason)s") % facts,
            _("Cancel it now to make the amount invoiceable again (or settle a refund), then apply again if needed."),
            _request_line(facts),
        ]
        return subject, "\n".join(lines)
    from apps.refunds.models import InvoiceReturn

    invoice_return = InvoiceReturn.objects.filter(pk=(notification.params or {}).get("return_id")).first()
    # Translators: %(vendor)s 同意退票：请寄回发票 %(number)s
    subject = _("%(vendor)s agreed: send back the invoice of %(number)s") % facts
    lines = [_("%(vendor)s agreed to your return RT%(return_id)s.") % facts]
    if invoice_return is not None and invoice_return.vendor_fault:
        lines.append(
            _("The vendor was at fault (%(fault)s), so the vendor pays the return postage.")
            % {"fault": invoice_return.get_vendor_fault_display()}
        )
    else:
        lines.append(_("You pay the return postage."))
    lines.append(_("Mail the invoice back, then enter the courier and tracking number on the return's page."))
    lines.append(_request_line(facts))
    return subject, "\n".join(lines)


def _return_declined(notification, facts):
    facts = _rt_facts(facts)
    from apps.refunds.models import InvoiceReturn

    invoice_return = InvoiceReturn.objects.filter(pk=(notification.params or {}).get("return_id")).first()
    reason = (invoice_return.decision_reason if invoice_return else "") or "-"
    # Translators: %(vendor)s 拒绝退票 %(number)s
    subject = _("%(vendor)s declined the return of %(number)s") % facts
    lines = [
        _("%(vendor)s declined your return RT%(return_id)s.") % facts,
        _("Reason: %(reason)s") % {"reason": reason},
        _("Keep the invoice. If you disagree, contact %(vendor)s: %(contact)s, or open a support ticket.") % facts,
        _request_line(facts),
    ]
    return subject, "\n".join(lines)


def _return_shipped(notification, facts):
    facts = _rt_facts(facts)
    from apps.refunds.models import InvoiceReturn
    from apps.refunds.services.returns import return_courier_label

    invoice_return = InvoiceReturn.objects.filter(pk=(notification.params or {}).get("return_id")).first()
    parcel = {
        "courier": return_courier_label(invoice_return) if invoice_return else "-",
        "tracking": (invoice_return.tracking_number if invoice_return else "") or "-",
    }
    # Translators: 客户已寄回发票 %(number)s
    subject = _("The invoice of %(number)s is on its way back") % facts
    lines = [
        _("The customer sent the invoice back (return RT%(return_id)s).") % facts,
        _("Courier: %(courier)s, tracking number %(tracking)s") % parcel,
        _("When it arrives, confirm receipt on the return's page."),
        _request_line(facts),
    ]
    return subject, "\n".join(lines)


def _return_received(notification, facts):
    facts = _rt_facts(facts)
    # Translators: %(vendor)s 已收到退回的发票 %(number)s
    subject = _("%(vendor)s received the returned invoice of %(number)s") % facts
    lines = [
        _("%(vendor)s confirmed the returned invoice arrived (return RT%(return_id)s).") % facts,
        _("Now file a support ticket asking marketplace staff to void it; the return's page prefills it."),
        _request_line(facts),
    ]
    return subject, "\n".join(lines)


def _ticket_opened(notification, facts):
    facts = _rt_facts(facts)
    # Translators: 新工单 T%(ticket_id)s：%(subject)s
    subject = _("New support ticket T%(ticket_id)s: %(subject)s") % facts
    lines = [_("A customer opened support ticket T%(ticket_id)s: %(subject)s") % facts]
    if notification.invoice_request_id:
        lines.append(_request_line(facts))
    lines.append(_("Open it in the staff console, assign it to yourself and reply."))
    return subject, "\n".join(lines)


def _ticket_replied(notification, facts):
    facts = _rt_facts(facts)
    # Translators: 工单 T%(ticket_id)s 有新回复
    subject = _("New reply on support ticket T%(ticket_id)s") % facts
    if notification.recipient.is_customer:
        action = _("Marketplace staff replied. Read it and answer on the ticket's page if they ask for something.")
    else:
        action = _("The customer replied. Read it and answer in the staff console.")
    lines = [_("Ticket T%(ticket_id)s: %(subject)s") % facts, action]
    return subject, "\n".join(lines)


def _ticket_resolved(notification, facts):
    facts = _rt_facts(facts)
    # Translators: 工单 T%(ticket_id)s 已解决
    subject = _("Support ticket T%(ticket_id)s resolved") % facts
    lines = [
        _("Marketplace staff resolved ticket T%(ticket_id)s: %(subject)s") % facts,
        _("Nothing to do. If something is still wrong, open a new ticket."),
    ]
    return subject, "\n".join(lines)


def _voided(notification, facts):
    facts = _rt_facts({"void_reason": "-", **facts})
    # Translators: 发票 %(number)s 已作废
    subject = _("Invoice request %(number)s voided") % facts
    lines = [
        _("Marketplace staff voided the invoice of %(number)s (ticket T%(ticket_id)s).") % facts,
        _("Reason: %(void_reason)s") % facts,
    ]
    purpose = (notification.params or {}).get("purpose")
    if notification.recipient.is_customer:
        if purpose == "refund":
            lines.append(_("Its amount no longer counts as invoiced, so the refund's invoice debt is settled."))
        else:
            lines.append(_("Its amount is invoiceable again: apply again with the corrected details."))
    else:
        lines.append(_("The invoice is void; do not use it again. Nothing else to do."))
    lines.append(_request_line(facts))
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
    Notification.Kind.REFUND_REQUESTED: _refund_requested,
    Notification.Kind.REFUND_APPROVED: _refund_approved,
    Notification.Kind.REFUND_REJECTED: _refund_rejected,
    Notification.Kind.WITHDRAWAL_REQUESTED: _withdrawal_requested,
    Notification.Kind.WITHDRAWAL_PAID: _withdrawal_paid,
    Notification.Kind.WITHDRAWAL_REJECTED: _withdrawal_rejected,
    Notification.Kind.RETURN_REQUESTED: _return_requested,
    Notification.Kind.RETURN_AGREED: _return_agreed,
    Notification.Kind.RETURN_DECLINED: _return_declined,
    Notification.Kind.RETURN_SHIPPED: _return_shipped,
    Notification.Kind.RETURN_RECEIVED: _return_received,
    Notification.Kind.TICKET_OPENED: _ticket_opened,
    Notification.Kind.TICKET_REPLIED: _ticket_replied,
    Notification.Kind.TICKET_RESOLVED: _ticket_resolved,
    Notification.Kind.VOIDED: _voided,
}
