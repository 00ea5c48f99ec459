from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from apps.accounts.models import CustomerAccount, Vendor
from apps.core.money import ZERO, format_cny

from .models import VendorBalance


@dataclass(frozen=True)
class InvoiceableRow:
    vendor: Vendor
    consumed: Decimal
    refunded: Decimal
    invoiced: Decimal
    invoiceable: Decimal
    invoice_debt: Decimal

    @property
    def formula(self) -> str:
        return invoiceable_formula(
            consumed=self.consumed, refunded=self.refunded, invoiced=self.invoiced, invoiceable=self.invoiceable
        )


def invoiceable_formula(*, consumed: Decimal, refunded: Decimal, invoiced: Decimal, invoiceable: Decimal) -> str:
    return _(
        "Invoiceable %(invoiceable)s = consumed %(consumed)s − refunded %(refunded)s − "
        "applied for (pending, processing, mailing) %(invoiced)s"
    ) % {
        "invoiceable": format_cny(invoiceable),
        "consumed": format_cny(consumed),
        "refunded": format_cny(refunded),
        "invoiced": format_cny(invoiced),
    }


def _row(balance: VendorBalance) -> InvoiceableRow:
    return InvoiceableRow(
        vendor=balance.vendor,
        consumed=balance.consumed,
        refunded=balance.refunded,
        invoiced=balance.invoiced,
        invoiceable=balance.invoiceable,
        invoice_debt=balance.invoice_debt,
    )


def invoiceable_row_of(balance: VendorBalance | None) -> InvoiceableRow | None:
    """The row of a balance already in hand (the one submit holds locked): None without consumption, as
    `invoiceable_row` answers. Its vendor is read from `balance.vendor` (set it to save a query)."""
    if balance is None or balance.consumed <= ZERO:
        return None
    return _row(balance)


def invoiceable_rows(*, customer_account: CustomerAccount) -> list[InvoiceableRow]:
    """One row per vendor the account consumed with, by vendor name."""
    balances = (
        VendorBalance.objects.filter(customer_account=customer_account, consumed__gt=ZERO)
        .select_related("vendor")
        .order_by("vendor__name")
    )
    return [_row(balance) for balance in balances]


def invoiceable_row(*, customer_account: CustomerAccount, vendor_id: int) -> InvoiceableRow | None:
    balance = (
        VendorBalance.objects.filter(customer_account=customer_account, vendor_id=vendor_id, consumed__gt=ZERO)
        .select_related("vendor")
        .first()
    )
    return _row(balance) if balance else None
