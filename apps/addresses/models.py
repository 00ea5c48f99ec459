from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import CustomerAccount
from apps.core.models import TimeStampedModel


class MailingAddress(TimeStampedModel):
    customer_account = models.ForeignKey(
        CustomerAccount, verbose_name=_("customer account"), on_delete=models.CASCADE, related_name="addresses"
    )
    recipient = models.CharField(_("recipient"), max_length=50)
    phone = models.CharField(_("mobile"), max_length=11)
    province = models.CharField(_("province"), max_length=30)
    city = models.CharField(_("city"), max_length=30)
    district = models.CharField(_("district"), max_length=30)
    street = models.CharField(_("street address"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=6)
    is_default = models.BooleanField(_("default"), default=False)

    class Meta:
        verbose_name = _("mailing address")
        verbose_name_plural = _("mailing addresses")
        ordering = ["-is_default", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer_account"], condition=Q(is_default=True), name="address_one_default_per_account"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient} {self.full_address}"

    @property
    def full_address(self) -> str:
        return f"{self.province}{self.city}{self.district}{self.street}"

    def snapshot(self) -> dict:
        return {
            "recipient": self.recipient,
            "phone": self.phone,
            "province": self.province,
            "city": self.city,
            "district": self.district,
            "street": self.street,
            "postal_code": self.postal_code,
        }
