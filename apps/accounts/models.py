from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.core.models import TimeStampedModel


class InvoiceType(models.TextChoices):
    GENERAL = "general", _("VAT general invoice (paper)")
    SPECIAL = "special", _("VAT special invoice (paper)")


class CustomerAccount(TimeStampedModel):
    """A marketplace customer account; several users may belong to it."""

    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("customer account")
        verbose_name_plural = _("customer accounts")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def default_invoice_types() -> list[str]:
    return [InvoiceType.GENERAL]


class Vendor(TimeStampedModel):
    """A vendor (服务商) selling on the marketplace; it issues and mails the paper invoices."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    service_hours = models.CharField(_("service hours"), max_length=100, blank=True)
    supported_invoice_types = models.JSONField(_("supported invoice types"), default=default_invoice_types)

    class Meta:
        verbose_name = _("vendor")
        verbose_name_plural = _("vendors")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def supported_invoice_type_labels(self) -> list[str]:
        labels = dict(InvoiceType.choices)
        return [str(labels[value]) for value in self.supported_invoice_types if value in labels]


class User(AbstractUser):
    class Role(models.TextChoices):
        CUSTOMER = "customer", _("Customer")
        VENDOR = "vendor", _("Vendor")
        STAFF = "staff", _("Marketplace staff")

    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.CUSTOMER)
    # The language of the user's e-mails and notifications; set when they switch the interface language.
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=[("zh-hans", _("Simplified Chinese")), ("en", _("English"))],
        default="zh-hans",
    )
    customer_account = models.ForeignKey(
        CustomerAccount,
        verbose_name=_("customer account"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    vendor = models.ForeignKey(
        Vendor, verbose_name=_("vendor"), on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            # A user's role and its account/vendor link always agree.
            models.CheckConstraint(
                name="user_role_matches_link",
                condition=(
                    Q(role="customer", customer_account__isnull=False, vendor__isnull=True)
                    | Q(role="vendor", vendor__isnull=False, customer_account__isnull=True)
                    | Q(role="staff", vendor__isnull=True, customer_account__isnull=True)
                ),
            )
        ]

    @property
    def is_customer(self) -> bool:
        return self.role == self.Role.CUSTOMER and self.customer_account_id is not None

    @property
    def is_vendor(self) -> bool:
        return self.role == self.Role.VENDOR and self.vendor_id is not None

    @property
    def is_marketplace_staff(self) -> bool:
        return self.role == self.Role.STAFF

    @property
    def display_name(self) -> str:
        """The name the other party sees (timelines, "submitted by"), never a login name: a customer user's full
        name, else the customer account's name; a vendor user's vendor; marketplace staff as such.

        Select `customer_account` and `vendor` with the user when listing many."""
        if self.is_vendor:
            return self.vendor.name
        if self.is_marketplace_staff:
            # Translators: 云市场工作人员
            return str(_("Marketplace staff"))
        family, given = self.last_name.strip(), self.first_name.strip()
        if family or given:
            # Chinese names are written family name first, without a space (张 + 伟 = 张伟).
            if all(not part or not part.isascii() for part in (family, given)):
                return f"{family}{given}"
            return f"{given} {family}".strip()
        if self.customer_account_id:
            return self.customer_account.name
        return self.get_username()
