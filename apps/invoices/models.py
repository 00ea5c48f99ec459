from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, can_proceed, transition

from apps.accounts.models import CustomerAccount, InvoiceType, Vendor
from apps.addresses.models import MailingAddress
from apps.core.money import MoneyField
from apps.titles.models import InvoiceTitle

ALL_STATUSES = ["pending", "processing", "mailing", "voided", "cancelled", "rejected"]

# At or above this amount the vendor pays the courier; below it the vendor may ship cash on delivery.
VENDOR_PAYS_SHIPPING_FROM = Decimal("50.00")


def vendor_pays_shipping(amount: Decimal) -> bool:
    """The shipping rule: from 50.00 the vendor pays the courier; below it, cash on delivery is allowed."""
    return amount >= VENDOR_PAYS_SHIPPING_FROM


# The longest reason a customer, vendor or staff gives when cancelling or rejecting a request.
STATUS_REASON_MAX_LENGTH = 500


class Courier(models.TextChoices):
    """The common mainland couriers, plus "other" (its name is then written in `courier_name`)."""

    SF = "sf", _("SF Express")
    EMS = "ems", _("China Post EMS")
    JD = "jd", _("JD Logistics")
    ZTO = "zto", _("ZTO Express")
    YTO = "yto", _("YTO Express")
    STO = "sto", _("STO Express")
    YUNDA = "yunda", _("Yunda Express")
    JT = "jt", _("J&T Express")
    DEPPON = "deppon", _("Deppon Express")
    OTHER = "other", _("Other courier")


class ShippingPayer(models.TextChoices):
    """Who actually paid the courier, chosen when the invoice is mailed. These labels are the only words for it:
    console, back-office, CSV, e-mails, admin and API `shipping_payer_display` all show them."""

    # Translators: 服务商付费
    VENDOR = "vendor", _("Paid by the vendor")
    # Translators: 到付
    RECIPIENT = "recipient", _("Cash on delivery")


class InvoiceRequest(models.Model):
    """One application for one paper invoice from one vendor (开票申请)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        PROCESSING = "processing", _("Processing")
        MAILING = "mailing", _("Mailing")
        VOIDED = "voided", _("Voided")
        CANCELLED = "cancelled", _("Cancelled")
        REJECTED = "rejected", _("Rejected")

    class ShippingRule(models.TextChoices):
        """Who pays the courier by the amount, before anything is mailed (see `ShippingPayer` for after). These
        labels are the only words for it: console, back-office, CSV, e-mails, admin and API `shipping_rule_display`."""

        # Translators: 寄付
        VENDOR_PAYS = "vendor_pays", _("Vendor pays shipping")
        # Translators: 可到付
        COD_ALLOWED = "cod_allowed", _("Cash on delivery allowed")

    # Requests in these statuses count against the invoiceable amount.
    ACTIVE_STATUSES = (Status.PENDING, Status.PROCESSING, Status.MAILING)

    number = models.CharField(_("request number"), max_length=32, unique=True, null=True, blank=True)
    customer_account = models.ForeignKey(
        CustomerAccount, verbose_name=_("customer account"), on_delete=models.PROTECT, related_name="invoice_requests"
    )
    vendor = models.ForeignKey(
        Vendor, verbose_name=_("vendor"), on_delete=models.PROTECT, related_name="invoice_requests"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), on_delete=models.PROTECT, related_name="+"
    )
    amount = MoneyField(_("amount"))
    invoice_type = models.CharField(
        _("invoice type"), max_length=16, choices=InvoiceType.choices, default=InvoiceType.GENERAL
    )
    title = models.ForeignKey(
        InvoiceTitle, verbose_name=_("title"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    address = models.ForeignKey(
        MailingAddress, verbose_name=_("address"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    title_snapshot = models.JSONField(_("title as submitted"))
    address_snapshot = models.JSONField(_("address as submitted"))
    status = FSMField(_("status"), default=Status.PENDING, choices=Status.choices, protected=True, db_index=True)
    status_reason = models.TextField(_("reason"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now, db_index=True)
    dispatch_due_date = models.DateField(_("mail by"))
    # True while the due date depends on a date no calendar data covers (statutory-holiday fallback only); staff
    # overrides for that year make it final (apps.core.workdays, invoice_request_due_dates_recompute).
    dispatch_due_date_provisional = models.BooleanField(_("mail-by date provisional"), default=False)
    idempotency_key = models.CharField(_("idempotency key"), max_length=64, blank=True, default="")
    # Filled when the vendor mails the invoice (processing -> mailing).
    invoice_date = models.DateField(_("invoice date"), null=True, blank=True)
    courier = models.CharField(_("courier"), max_length=16, choices=Courier.choices, blank=True)
    courier_name = models.CharField(_("courier name"), max_length=50, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=40, blank=True)
    # Translators: 实际运费承担 (who paid once mailed; the rule by amount is 运费规则)
    shipping_payer = models.CharField(_("shipping paid by"), max_length=16, choices=ShippingPayer.choices, blank=True)
    mailed_at = models.DateTimeField(_("mailed at"), null=True, blank=True)
    # Set once by the SLA sweep (apps.invoices.sla): the vendor was reminded / the request was found overdue.
    at_risk_notified_at = models.DateTimeField(_("vendor reminded at"), null=True, blank=True)
    breached_at = models.DateTimeField(_("found overdue at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        verbose_name = _("invoice request")
        verbose_name_plural = _("invoice requests")
        ordering = ["-submitted_at", "-id"]
        # Voiding is a marketplace-staff power given per user or group, not to every staff account.
        permissions = [("void_invoicerequest", _("Can void a mailed invoice from a support ticket"))]
        constraints = [
            models.CheckConstraint(name="invoice_request_amount_min", condition=Q(amount__gte=Decimal("0.01"))),
            models.CheckConstraint(name="invoice_request_status_known", condition=Q(status__in=ALL_STATUSES)),
            # The shipping-payer rule: only an amount below 50.00 may be sent cash on delivery.
            models.CheckConstraint(
                name="invoice_request_cod_only_below_50",
                condition=~Q(shipping_payer="recipient") | Q(amount__lt=VENDOR_PAYS_SHIPPING_FROM),
            ),
            # A mailed invoice always has its tracking number and shipping payer.
            models.CheckConstraint(
                name="invoice_request_mailed_has_tracking",
                condition=~Q(status__in=["mailing", "voided"]) | (~Q(tracking_number="") & ~Q(shipping_payer="")),
            ),
            models.UniqueConstraint(
                fields=["courier", "tracking_number"],
                condition=~Q(tracking_number=""),
                name="invoice_request_tracking_unique_per_courier",
            ),
            models.UniqueConstraint(
                fields=["customer_account", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="invoice_request_idempotency_key",
            ),
        ]
        indexes = [
            # The SLA sweep's scan: open requests by due date, without touching closed ones.
            models.Index(
                fields=["dispatch_due_date", "id"],
                condition=Q(status__in=["pending", "processing"]),
                name="invoice_request_open_due",
            ),
            # The customer's records, newest first, in exactly the list's order (the id breaks ties), so a page is
            # read from the index without sorting the account's requests.
            models.Index(fields=["customer_account", "-submitted_at", "-id"], name="invoice_request_customer_order"),
            models.Index(fields=["vendor", "status", "dispatch_due_date"]),
            # The vendor queue's default order (mail-by date first) without a sort over all of a vendor's rows.
            models.Index(
                fields=["vendor", "dispatch_due_date", "submitted_at", "id"], name="invoice_request_queue_order"
            ),
            # The queue's default view (the work still owed) in its order, without stepping over a large vendor's
            # mailed and closed requests to find the open ones.
            models.Index(
                fields=["vendor", "dispatch_due_date", "submitted_at", "id"],
                condition=Q(status__in=["pending", "processing"]),
                name="invoice_request_open_queue",
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"

    @property
    def shipping_rule(self) -> str:
        if vendor_pays_shipping(self.amount):
            return self.ShippingRule.VENDOR_PAYS
        return self.ShippingRule.COD_ALLOWED

    def get_shipping_rule_display(self) -> str:
        return str(self.ShippingRule(self.shipping_rule).label)

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES

    @property
    def can_cancel(self) -> bool:
        """The customer (or staff for them) may cancel it: the one answer pages, API and admin show."""
        return can_proceed(self.cancel)

    def get_courier_label(self) -> str:
        if self.courier == Courier.OTHER and self.courier_name:
            return self.courier_name
        return self.get_courier_display()

    # Transitions: state checks only; services lock, save, audit and release money.
    @transition(field=status, source=Status.PENDING, target=Status.CANCELLED)
    def cancel(self) -> None:
        pass

    @transition(field=status, source=Status.PENDING, target=Status.PROCESSING)
    def accept(self) -> None:
        pass

    @transition(field=status, source=Status.PENDING, target=Status.REJECTED)
    def reject(self) -> None:
        pass

    @transition(field=status, source=Status.PROCESSING, target=Status.MAILING)
    def mail(self) -> None:
        pass

    @transition(field=status, source=Status.PROCESSING, target=Status.PENDING)
    def reopen(self) -> None:
        """The vendor puts back an accepted request it never mailed (the customer asked to change or drop it), so the
        customer can cancel it and apply again (apps.refunds.services.returns)."""

    @transition(field=status, source=Status.MAILING, target=Status.VOIDED)
    def void(self) -> None:
        """Staff void a mailed invoice that came back, from a support ticket (apps.refunds.services)."""


class IssuedInvoice(models.Model):
    """An invoice number a vendor issued for a request; unique per vendor, so one paper invoice is never sent twice."""

    request = models.ForeignKey(
        InvoiceRequest, verbose_name=_("invoice request"), on_delete=models.PROTECT, related_name="issued_invoices"
    )
    vendor = models.ForeignKey(
        Vendor, verbose_name=_("vendor"), on_delete=models.PROTECT, related_name="issued_invoices"
    )
    number = models.CharField(_("invoice number"), max_length=32)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("issued invoice")
        verbose_name_plural = _("issued invoices")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["vendor", "number"], name="issued_invoice_number_unique_per_vendor")
        ]

    def __str__(self) -> str:
        return self.number


class InvoiceEvent(models.Model):
    """One line of a request's timeline: every status change, who made it, and why. Never deleted.

    Besides status changes (`from_status` -> `to_status`), the timeline records what happened without a change of
    status (`kind`): the mail-by date recomputed after a calendar change, the vendor reminded, the SLA breached.
    Those rows have `from_status == to_status` and say what happened in `reason`.
    """

    class Kind(models.TextChoices):
        STATUS_CHANGED = "status_changed", _("Status changed")
        DUE_DATE_CHANGED = "due_date_changed", _("Mail-by date changed")
        VENDOR_REMINDED = "vendor_reminded", _("Vendor reminded")
        BREACHED = "breached", _("Mail-by date missed")
        # Refunds, returns and tickets (apps.refunds); voiding itself is a status change.
        REFUND_APPROVED = "refund_approved", _("Refund approved")
        RETURN_REQUESTED = "return_requested", _("Return requested")
        RETURN_AGREED = "return_agreed", _("Return agreed")
        RETURN_DECLINED = "return_declined", _("Return declined")
        RETURN_SHIPPED = "return_shipped", _("Invoice sent back")
        RETURN_RECEIVED = "return_received", _("Returned invoice received")
        TICKET_OPENED = "ticket_opened", _("Support ticket opened")

    request = models.ForeignKey(
        InvoiceRequest, verbose_name=_("invoice request"), on_delete=models.PROTECT, related_name="events"
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, null=True, blank=True
    )
    from_status = models.CharField(_("from"), max_length=16, choices=InvoiceRequest.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=InvoiceRequest.Status.choices)
    reason = models.TextField(_("reason"), blank=True)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices, default=Kind.STATUS_CHANGED)
    # A note's facts (dates, days left): its text is rendered from them in the reader's language (`text`).
    params = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("invoice request event")
        verbose_name_plural = _("invoice request events")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.request} {self.get_from_status_display() or '-'} → {self.get_to_status_display()}"

    @classmethod
    def record(cls, *, request: InvoiceRequest, actor, from_status: str, reason: str = "") -> "InvoiceEvent":
        return cls.objects.create(
            request=request, actor=actor, from_status=from_status or "", to_status=request.status, reason=reason
        )

    @classmethod
    def record_note(cls, *, request: InvoiceRequest, actor, kind: str, params: dict) -> "InvoiceEvent":
        """A timeline line without a status change (a recomputed due date, a reminder, a breach).

        `params` hold the facts; `text` renders them in the reader's language. `reason` keeps a copy in the product's
        default language for the admin and raw exports.
        """
        event = cls(
            request=request,
            actor=actor,
            kind=kind,
            params=params,
            from_status=request.status,
            to_status=request.status,
        )
        with translation.override(settings.LANGUAGE_CODE):
            event.reason = event.text
        event.save()
        return event

    @property
    def text(self) -> str:
        """What the line says, in the active language: a note from its params, a status change's reason as typed."""
        params = self.params or {}
        if self.kind == self.Kind.DUE_DATE_CHANGED and params:
            return gettext("Mail-by date %(old)s → %(new)s (calendar updated)") % {
                "old": _dated(params["old"], params.get("old_provisional", False)),
                "new": _dated(params["new"], params.get("new_provisional", False)),
            }
        if self.kind == self.Kind.VENDOR_REMINDED and params:
            days = int(params["working_days_left"])
            return ngettext(
                "Mail-by date %(due)s: %(days)d working day left. The vendor was reminded.",
                "Mail-by date %(due)s: %(days)d working days left. The vendor was reminded.",
                days,
            ) % {"due": params["due"], "days": days}
        if self.kind == self.Kind.BREACHED and params:
            return gettext(
                "Not mailed by its mail-by date, %(due)s. The vendor, the customer and marketplace staff were told."
            ) % {"due": params["due"]}
        if self.kind == self.Kind.REFUND_APPROVED and params:
            from apps.core.money import format_cny

            return gettext(
                "Refund of %(amount)s approved: the account now owes this vendor invoices worth %(debt)s. Return or "
                "cancel requests (this one may be among them) until it is settled."
            ) % {"amount": format_cny(params["amount"]), "debt": format_cny(params["debt"])}
        if self.kind in _RETURN_KINDS and params:
            return _return_text(self.kind, params)
        if self.kind == self.Kind.TICKET_OPENED and params:
            # Translators: 已提交工单 T%(id)s：%(subject)s
            return gettext("Support ticket T%(id)s opened: %(subject)s") % {
                "id": params["ticket_id"],
                "subject": params.get("subject", ""),
            }
        return self.reason


_RETURN_KINDS = ("return_requested", "return_agreed", "return_declined", "return_shipped", "return_received")


def _return_text(kind: str, params: dict) -> str:
    """A return step's timeline line (apps.refunds.services.returns), in the reader's language."""
    from apps.refunds.models import InvoiceReturn

    facts = {
        "id": params.get("return_id", ""),
        "purpose": InvoiceReturn.Purpose(params["purpose"]).label if params.get("purpose") else "-",
        "reason": params.get("reason") or "-",
        "courier": params.get("courier") or "-",
        "tracking": params.get("tracking_number") or "-",
    }
    if kind == "return_requested":
        # Translators: 客户申请退票 RT%(id)s（%(purpose)s）：%(reason)s
        return gettext("Return RT%(id)s requested (%(purpose)s): %(reason)s") % facts
    if kind == "return_agreed":
        fault = params.get("fault") or ""
        payer = (
            gettext("the vendor pays return postage (%(fault)s)") % {"fault": InvoiceReturn.Fault(fault).label}
            if fault
            else gettext("the customer pays return postage")
        )
        return gettext("Return RT%(id)s agreed: %(payer)s.") % {**facts, "payer": payer}
    if kind == "return_declined":
        return gettext("Return RT%(id)s declined: %(reason)s") % facts
    if kind == "return_shipped":
        return gettext("Invoice sent back (return RT%(id)s): %(courier)s, tracking number %(tracking)s") % facts
    return gettext("The vendor received the returned invoice (return RT%(id)s).") % facts


def _dated(day: str, provisional: bool) -> str:
    # Translators: 暂定 — a mail-by date that may still move
    return gettext("%(date)s (provisional)") % {"date": day} if provisional else day


class AuditFinding(models.Model):
    """Something the nightly audit found wrong (apps.invoices.sla): staff acknowledge it in the staff console.

    `key` names the finding (e.g. "shipping_rule:IR2025…" or "balance:12:3") so a violation still present the next
    night is not reported twice; acknowledging it keeps the row, with who and when.
    """

    class Kind(models.TextChoices):
        SHIPPING_RULE = "shipping_rule", _("Shipping rule broken")
        MONEY_INVARIANT = "money_invariant", _("Balance does not match the requests")

    key = models.CharField(_("key"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    invoice_request = models.ForeignKey(
        InvoiceRequest,
        verbose_name=_("invoice request"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_findings",
    )
    customer_account = models.ForeignKey(
        CustomerAccount, verbose_name=_("customer account"), on_delete=models.PROTECT, null=True, blank=True
    )
    vendor = models.ForeignKey(Vendor, verbose_name=_("vendor"), on_delete=models.PROTECT, null=True, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    found_at = models.DateTimeField(_("found at"), default=timezone.now, db_index=True)
    last_seen_at = models.DateTimeField(_("last seen at"), default=timezone.now)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("audit finding")
        verbose_name_plural = _("audit findings")
        ordering = ["-found_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.key}"


class VendorStatusCount(models.Model):
    """How many of a vendor's requests are in each status: the queue's tabs without counting 100,000 rows.

    Kept by PostgreSQL statement triggers on invoices_invoicerequest (migration 0008): every insert, status or
    vendor change and delete, from a service, a bulk insert, COPY or raw SQL, adjusts these rows in the same
    transaction. Read-only for the application."""

    vendor = models.ForeignKey(
        Vendor, verbose_name=_("vendor"), on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    status = models.CharField(_("status"), max_length=16, choices=InvoiceRequest.Status.choices)
    count = models.BigIntegerField(_("number of requests"), default=0)

    class Meta:
        verbose_name = _("requests by status")
        verbose_name_plural = _("requests by status")
        constraints = [models.UniqueConstraint(fields=["vendor", "status"], name="vendor_status_count_unique")]

    def __str__(self) -> str:
        return f"{self.vendor_id} {self.status}: {self.count}"


class CustomerStatusCount(models.Model):
    """How many of a customer account's requests are in each status: the records list's size (a busy account has
    10,000 requests) without counting them on every view. Kept like VendorStatusCount, by PostgreSQL statement
    triggers (migration 0012). Read-only for the application."""

    customer_account = models.ForeignKey(
        CustomerAccount,
        verbose_name=_("customer account"),
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
    )
    status = models.CharField(_("status"), max_length=16, choices=InvoiceRequest.Status.choices)
    count = models.BigIntegerField(_("number of requests"), default=0)

    class Meta:
        verbose_name = _("customer requests by status")
        verbose_name_plural = _("customer requests by status")
        constraints = [
            models.UniqueConstraint(fields=["customer_account", "status"], name="customer_status_count_unique")
        ]

    def __str__(self) -> str:
        return f"{self.customer_account_id} {self.status}: {self.count}"
