from decimal import Decimal

from rest_framework import serializers

from apps.accounts.models import CustomerAccount, InvoiceType, Vendor
from apps.core.api import AmountField, DateTimeField, IdRelatedField
from apps.core.api.render import decimal_out, text
from apps.core.money import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS, parse_amount

from ..models import ConsumptionRecord


def money_field(**kwargs) -> serializers.DecimalField:
    """Money out: a string with two decimals, e.g. "1000.00"."""
    return serializers.DecimalField(
        max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES, coerce_to_string=True, **kwargs
    )


class InvoiceableRowSerializer(serializers.Serializer):
    """What may still be invoiced with one vendor, and how that is computed."""

    vendor = serializers.IntegerField(source="vendor.pk", read_only=True)
    vendor_name = serializers.CharField(source="vendor.name", read_only=True)
    vendor_contact_phone = serializers.CharField(source="vendor.contact_phone", read_only=True)
    vendor_contact_email = serializers.CharField(source="vendor.contact_email", read_only=True)
    vendor_service_hours = serializers.CharField(source="vendor.service_hours", read_only=True)
    supported_invoice_types = serializers.ListField(
        child=serializers.CharField(),
        help_text="`invoice_type` values this vendor issues: "
        + ", ".join(f"`{value}`" for value in InvoiceType.values)
        + ".",
        source="vendor.supported_invoice_types",
        read_only=True,
    )
    consumed = money_field(read_only=True)
    refunded = money_field(read_only=True)
    invoiced = money_field(read_only=True, help_text="Requests that are pending, processing or mailing.")
    invoiceable = money_field(read_only=True, help_text="consumed − refunded − invoiced, never below 0.00.")
    formula = serializers.CharField(read_only=True, help_text="How `invoiceable` is computed, with the numbers.")

    def to_representation(self, row) -> dict:
        # The declared fields' output, built directly: no field object per value (apps.core.api.render).
        # tests/api/test_fast_rows_api.py checks it equals DRF's generic rendering of these fields.
        vendor = row.vendor
        types = vendor.supported_invoice_types
        return {
            "vendor": int(vendor.pk),
            "vendor_name": text(vendor.name),
            "vendor_contact_phone": text(vendor.contact_phone),
            "vendor_contact_email": text(vendor.contact_email),
            "vendor_service_hours": text(vendor.service_hours),
            "supported_invoice_types": None if types is None else [text(value) for value in types],
            "consumed": _money(row.consumed),
            "refunded": _money(row.refunded),
            "invoiced": _money(row.invoiced),
            "invoiceable": _money(row.invoiceable),
            "formula": text(row.formula),
        }


def _money(value) -> str | None:
    return (
        None if value is None else decimal_out(value, max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES)
    )


class ConsumptionRecordSerializer(serializers.ModelSerializer):
    class Meta:
        model = ConsumptionRecord
        fields = [
            "id",
            "customer_account",
            "vendor",
            "amount",
            "consumed_at",
            "external_id",
            "description",
            "created_at",
        ]
        read_only_fields = fields


class ConsumptionRecordInputSerializer(serializers.Serializer):
    """One consumption record from the billing system."""

    # Types and IDs only: consumption_record checks the amount and the external ID.

    customer_account = IdRelatedField(queryset=CustomerAccount.objects.all())
    vendor = IdRelatedField(queryset=Vendor.objects.all())
    amount = AmountField()
    consumed_at = DateTimeField(help_text="ISO 8601; without an offset it is Asia/Shanghai time.")
    external_id = serializers.CharField(
        max_length=64, allow_blank=True, help_text="The billing system's ID; repeating it records nothing new."
    )
    description = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    def validate_amount(self, value: str) -> Decimal:
        # A malformed amount raises ApplicationError (`invalid_amount`, the message on `amount`), answered as is.
        return parse_amount(value)
