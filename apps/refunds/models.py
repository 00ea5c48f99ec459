"""Refunds (退款), invoice returns (退票), support tickets (工单) and withdrawals (提现).

The product doc's 退票流程: once an invoice is processing or mailing, a reissue or a refund goes through the vendor;
the customer mails the invoice back, files a support ticket, staff void the invoice (mailing -> voided), and only
then may the customer withdraw refunded money. Every row here is written by apps.refunds.services (lock, check,
write, audit/timeline, notify on commit); money invariants also hold in the database.
"""

import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import CustomerAccount, Vendor
from apps.core.models import TimeStampedModel
from apps.core.money import MoneyField
from apps.invoices.models import Courier, InvoiceRequest


class Refund(TimeStampedModel):
    """Money returned to the customer for consumption with one vendor. Approved, it lowers what was consumed
    (VendorBalance.refunded) and becomes withdrawable balance."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Waiting for the vendor")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    customer_account = models.ForeignKey(
        CustomerAccount, verbose_name=_("customer account"), on_delete=models.PROTECT, related_name="refunds"
    )
    vendor = models.ForeignKey(Vendor, verbose_name=_("vendor"), on_delete=models.PROTECT, related_name="refunds")
    amount = MoneyField(_("amount"))
    reason = models.TextField(_("reason"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("vendor's reason"), blank=True)
    # Set when the billing system posts an approved refund (idempotent by this id), empty for customer requests.
    external_id = models.CharField(_("external ID"), max_length=64, blank=True, default="")

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(name="refund_amount_min", condition=Q(amount__gte="0.01")),
            models.CheckConstraint(
                name="refund_status_known", condition=Q(status__in=["requested", "approved", "rejected"])
            ),
            models.UniqueConstraint(fields=["external_id"], condition=~Q(external_id=""), name="refund_external_id"),
        ]
        indexes = [models.Index(fields=["customer_account", "vendor", "status"])]

    def __str__(self) -> str:
        return f"R{self.pk} {self.amount}"


class InvoiceReturn(TimeStampedModel):
    """The customer sends a processing or mailing request's invoice back to the vendor, for a reissue or a refund.

    requested -> agreed (the vendor states whether it was at fault) | declined (with a reason) -> shipped (the
    customer's courier and tracking number) -> received (the vendor confirms). Then the customer files a support
    ticket and staff void the invoice. At most one open return per request.
    """

    class Purpose(models.TextChoices):
        REISSUE = "reissue", _("Reissue with corrected details")
        REFUND = "refund", _("Refund")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Waiting for the vendor")
        AGREED = "agreed", _("Agreed: send the invoice back")
        DECLINED = "declined", _("Declined")
        SHIPPED = "shipped", _("On its way back")
        RECEIVED = "received", _("Received by the vendor")
        CLOSED = "closed", _("Closed")

    class Fault(models.TextChoices):
        NONE = "", _("Not the vendor's fault: the customer pays return postage")
        MISMATCH = "mismatch", _("The invoice does not match the application")
        DAMAGED = "damaged", _("The invoice arrived damaged")

    OPEN_STATUSES = ("requested", "agreed", "shipped", "received")

    invoice_request = models.ForeignKey(
        InvoiceRequest, verbose_name=_("invoice request"), on_delete=models.PROTECT, related_name="returns"
    )
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices)
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    vendor_fault = models.CharField(_("vendor at fault"), max_length=16, choices=Fault.choices, blank=True, default="")
    decision_reason = models.TextField(_("vendor's reason"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    courier = models.CharField(_("courier"), max_length=16, choices=Courier.choices, blank=True)
    courier_name = models.CharField(_("courier name"), max_length=50, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=40, blank=True)
    shipped_at = models.DateTimeField(_("sent back at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invoice return")
        verbose_name_plural = _("invoice returns")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice_request"],
                condition=Q(status__in=["requested", "agreed", "shipped", "received"]),
                name="invoice_return_one_open_per_request",
            ),
            models.CheckConstraint(
                name="invoice_return_shipped_has_tracking",
                condition=~Q(status__in=["shipped", "received"]) | ~Q(tracking_number=""),
            ),
        ]

    def __str__(self) -> str:
        return f"RT{self.pk} {self.invoice_request}"

    @property
    def customer_pays_postage(self) -> bool:
        return not self.vendor_fault


class SupportTicket(TimeStampedModel):
    """A customer's request to marketplace staff (工单), e.g. to void a returned invoice."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        WAITING_FOR_CUSTOMER = "waiting", _("Waiting for the customer")
        RESOLVED = "resolved", _("Resolved")

    customer_account = models.ForeignKey(
        CustomerAccount, verbose_name=_("customer account"), on_delete=models.PROTECT, related_name="tickets"
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("opened by"), on_delete=models.PROTECT, related_name="+"
    )
    subject = models.CharField(_("subject"), max_length=120)
    invoice_request = models.ForeignKey(
        InvoiceRequest,
        verbose_name=_("invoice request"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
    )
    invoice_return = models.ForeignKey(
        InvoiceReturn,
        verbose_name=_("invoice return"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_tickets",
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    last_message_at = models.DateTimeField(_("last message"), default=timezone.now)

    class Meta:
        verbose_name = _("support ticket")
        verbose_name_plural = _("support tickets")
        ordering = ["-last_message_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-last_message_at"]),
            models.Index(fields=["customer_account", "-last_message_at"]),
        ]

    def __str__(self) -> str:
        return f"T{self.pk} {self.subject}"


class TicketMessage(models.Model):
    """One message of a ticket's conversation, by the customer or by staff. Never edited or deleted."""

    ticket = models.ForeignKey(
        SupportTicket, verbose_name=_("ticket"), on_delete=models.PROTECT, related_name="messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("ticket message")
        verbose_name_plural = _("ticket messages")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.ticket} #{self.pk}"


def ticket_attachment_path(instance: "TicketAttachment", filename: str) -> str:
    # The stored name never comes from the user (only its extension): no path tricks, no collisions.
    return f"tickets/{instance.message.ticket_id}/{uuid.uuid4().hex}{Path(filename).suffix.lower()[:10]}"


class TicketAttachment(models.Model):
    """A file on a ticket message (a photo of the returned invoice, a PDF), served only to the ticket's parties."""

    message = models.ForeignKey(
        TicketMessage, verbose_name=_("message"), on_delete=models.PROTECT, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=ticket_attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("ticket attachment")
        verbose_name_plural = _("ticket attachments")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name


class Withdrawal(TimeStampedModel):
    """Refunded balance the customer takes out of the platform: requested -> paid | rejected by staff."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        PAID = "paid", _("Paid")
        REJECTED = "rejected", _("Rejected")

    customer_account = models.ForeignKey(
        CustomerAccount, verbose_name=_("customer account"), on_delete=models.PROTECT, related_name="withdrawals"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    amount = MoneyField(_("amount"))
    bank_name = models.CharField(_("bank name"), max_length=100)
    bank_account = models.CharField(_("bank account"), max_length=40)
    account_holder = models.CharField(_("account holder"), max_length=100)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.REQUESTED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=64, blank=True, default="")

    class Meta:
        verbose_name = _("withdrawal")
        verbose_name_plural = _("withdrawals")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(name="withdrawal_amount_min", condition=Q(amount__gte="0.01")),
            models.UniqueConstraint(
                fields=["customer_account", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="withdrawal_idempotency_key",
            ),
        ]

    def __str__(self) -> str:
        return f"W{self.pk} {self.amount}"


class AccountWallet(models.Model):
    """The customer account's refunded money: approved refunds in, withdrawals (requested or paid) out.

    Locked (SELECT ... FOR UPDATE) by every refund approval and withdrawal, so `withdrawn <= refunded` holds under
    any concurrency; the CHECK constraints keep it true whatever path writes the row.
    """

    customer_account = models.OneToOneField(
        CustomerAccount, verbose_name=_("customer account"), on_delete=models.PROTECT, related_name="wallet"
    )
    refunded = MoneyField(_("refunded"), default=0)
    withdrawn = MoneyField(_("withdrawn or being paid"), default=0)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        verbose_name = _("refund balance")
        verbose_name_plural = _("refund balances")
        constraints = [
            models.CheckConstraint(name="wallet_refunded_non_negative", condition=Q(refunded__gte=0)),
            models.CheckConstraint(name="wallet_withdrawn_non_negative", condition=Q(withdrawn__gte=0)),
            models.CheckConstraint(name="wallet_withdrawn_lte_refunded", condition=Q(withdrawn__lte=F("refunded"))),
        ]

    def __str__(self) -> str:
        return str(self.customer_account)

    @property
    def withdrawable(self):
        return self.refunded - self.withdrawn
