from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import CustomerAccount, Vendor
from apps.core.models import TimeStampedModel
from apps.core.money import ZERO, MoneyField


class ConsumptionRecord(TimeStampedModel):
    """What a customer account consumed with a vendor. `external_id` makes imports repeatable."""

    customer_account = models.ForeignKey(
        CustomerAccount, verbose_name=_("customer account"), on_delete=models.PROTECT, related_name="consumption"
    )
    vendor = models.ForeignKey(Vendor, verbose_name=_("vendor"), on_delete=models.PROTECT, related_name="consumption")
    amount = MoneyField(_("amount"))
    consumed_at = models.DateTimeField(_("consumed at"))
    external_id = models.CharField(_("external ID"), max_length=64, unique=True)
    description = models.CharField(_("description"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("consumption record")
        verbose_name_plural = _("consumption records")
        ordering = ["-consumed_at", "-id"]
        constraints = [models.CheckConstraint(name="consumption_amount_positive", condition=Q(amount__gt=0))]
        indexes = [models.Index(fields=["customer_account", "vendor"])]

    def __str__(self) -> str:
        return f"{self.external_id} {self.amount}"


class VendorBalance(models.Model):
    """The running totals of one customer account with one vendor.

    This row is locked (SELECT ... FOR UPDATE) whenever an invoice request is recorded or released, so the cap
    "invoiced <= consumed - refunded" is checked under a lock. `invoiced` is the sum of requests that are pending,
    processing or mailing. A refund after invoicing may leave invoiced above consumed - refunded (invoice debt),
    so only the bounds that must always hold are CHECK constraints.
    """

    customer_account = models.ForeignKey(
        CustomerAccount, verbose_name=_("customer account"), on_delete=models.PROTECT, related_name="vendor_balances"
    )
    vendor = models.ForeignKey(Vendor, verbose_name=_("vendor"), on_delete=models.PROTECT, related_name="balances")
    consumed = MoneyField(_("consumed"), default=ZERO)
    refunded = MoneyField(_("refunded"), default=ZERO)
    invoiced = MoneyField(_("invoiced"), default=ZERO)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        verbose_name = _("vendor balance")
        verbose_name_plural = _("vendor balances")
        constraints = [
            models.UniqueConstraint(fields=["customer_account", "vendor"], name="balance_unique_account_vendor"),
            models.CheckConstraint(name="balance_consumed_non_negative", condition=Q(consumed__gte=0)),
            models.CheckConstraint(name="balance_refunded_non_negative", condition=Q(refunded__gte=0)),
            models.CheckConstraint(name="balance_invoiced_non_negative", condition=Q(invoiced__gte=0)),
            models.CheckConstraint(name="balance_refunded_lte_consumed", condition=Q(refunded__lte=F("consumed"))),
            models.CheckConstraint(name="balance_invoiced_lte_consumed", condition=Q(invoiced__lte=F("consumed"))),
        ]

    def __str__(self) -> str:
        return f"{self.customer_account} / {self.vendor}"

    @property
    def invoiceable(self):
        """What may still be invoiced; never below zero (a negative net is invoice debt)."""
        return max(self.consumed - self.refunded - self.invoiced, ZERO)

    @property
    def invoice_debt(self):
        return max(self.invoiced - (self.consumed - self.refunded), ZERO)
