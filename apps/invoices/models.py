from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from apps.accounts.models import CustomerAccount, InvoiceType, Vendor
from apps.addresses.models import MailingAddress
from apps.core.money import MoneyField
from apps.titles.models import InvoiceTitle

ALL_STATUSES = ["pending", "processing", "mailing", "voided", "cancelled", "rejected"]

# At or above this amount the vendor pays the courier; below it the vendor may ship cash on delivery.
VENDOR_PAYS_SHIPPING_FROM = 50


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
        VENDOR_PAYS = "vendor_pays", _("The vendor pays shipping")
        COD_ALLOWED = "cod_allowed", _("The vendor may send it cash on delivery")

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
    idempotency_key = models.CharField(max_length=64, blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("invoice request")
        verbose_name_plural = _("invoice requests")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.CheckConstraint(name="invoice_request_amount_min", condition=Q(amount__gte=Decimal("0.01"))),
            models.CheckConstraint(name="invoice_request_status_known", condition=Q(status__in=ALL_STATUSES)),
            models.UniqueConstraint(
                fields=["customer_account", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="invoice_request_idempotency_key",
            ),
        ]
        indexes = [
            models.Index(fields=["customer_account", "-submitted_at"]),
            models.Index(fields=["vendor", "status", "dispatch_due_date"]),
        ]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"

    @property
    def shipping_rule(self) -> str:
        if self.amount >= VENDOR_PAYS_SHIPPING_FROM:
            return self.ShippingRule.VENDOR_PAYS
        return self.ShippingRule.COD_ALLOWED

    def get_shipping_rule_display(self) -> str:
        return str(self.ShippingRule(self.shipping_rule).label)

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES

    # Transitions: state checks only; services lock, save, audit and release money.
    @transition(field=status, source=Status.PENDING, target=Status.CANCELLED)
    def cancel(self) -> None:
        pass


class InvoiceEvent(models.Model):
    """One line of a request's timeline: every status change, who made it, and why. Never deleted."""

    request = models.ForeignKey(InvoiceRequest, on_delete=models.PROTECT, related_name="events")
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, null=True, blank=True
    )
    from_status = models.CharField(_("from"), max_length=16, choices=InvoiceRequest.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=InvoiceRequest.Status.choices)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("invoice request event")
        verbose_name_plural = _("invoice request events")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.request} {self.from_status or '-'} -> {self.to_status}"

    @classmethod
    def record(cls, *, request: InvoiceRequest, actor, from_status: str, reason: str = "") -> "InvoiceEvent":
        return cls.objects.create(
            request=request, actor=actor, from_status=from_status or "", to_status=request.status, reason=reason
        )
