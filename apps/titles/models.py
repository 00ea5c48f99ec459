from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import CustomerAccount
from apps.core.models import TimeStampedModel


class InvoiceTitle(TimeStampedModel):
    """Whom an invoice is made out to (发票抬头). Requests keep a snapshot, so editing or deleting is safe."""

    class Kind(models.TextChoices):
        COMPANY = "company", _("Company")
        INDIVIDUAL = "individual", _("Individual")

    customer_account = models.ForeignKey(
        CustomerAccount, verbose_name=_("customer account"), on_delete=models.CASCADE, related_name="titles"
    )
    kind = models.CharField(_("title type"), max_length=16, choices=Kind.choices, default=Kind.COMPANY)
    name = models.CharField(_("title name"), max_length=100)
    taxpayer_id = models.CharField(_("taxpayer ID"), max_length=20, blank=True)
    taxpayer_id_verified = models.BooleanField(_("taxpayer ID verified"), default=False)
    registered_address = models.CharField(_("registered address"), max_length=200, blank=True)
    registered_phone = models.CharField(_("registered phone"), max_length=30, blank=True)
    bank_name = models.CharField(_("bank name"), max_length=100, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=40, blank=True)
    is_default = models.BooleanField(_("default"), default=False)

    class Meta:
        verbose_name = _("invoice title")
        verbose_name_plural = _("invoice titles")
        ordering = ["-is_default", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer_account"], condition=Q(is_default=True), name="title_one_default_per_account"
            ),
            models.CheckConstraint(
                name="title_company_has_taxpayer_id",
                condition=Q(kind="individual") | ~Q(taxpayer_id=""),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def has_special_invoice_details(self) -> bool:
        """A VAT special invoice also needs the registered address, phone, bank and account."""
        return self.kind == self.Kind.COMPANY and all(
            [self.taxpayer_id, self.registered_address, self.registered_phone, self.bank_name, self.bank_account]
        )

    def snapshot(self) -> dict:
        return {
            "kind": self.kind,
            "name": self.name,
            "taxpayer_id": self.taxpayer_id,
            "taxpayer_id_verified": self.taxpayer_id_verified,
            "registered_address": self.registered_address,
            "registered_phone": self.registered_phone,
            "bank_name": self.bank_name,
            "bank_account": self.bank_account,
        }
