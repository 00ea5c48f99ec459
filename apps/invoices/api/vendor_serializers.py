"""Serializers of the vendor back-office API: they render and parse types only; the services own every rule."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.api import IdField

from ..models import STATUS_REASON_MAX_LENGTH, VENDOR_PAYS_SHIPPING_FROM, Courier, InvoiceRequest, ShippingPayer
from .serializers import (
    AddressSnapshotSerializer,
    DeadlineFieldsSerializer,
    DeadlineListSerializer,
    InvoiceEventSerializer,
    MailedInvoiceFieldsSerializer,
    ShippingFieldsSerializer,
    TitleSnapshotSerializer,
)


def _values(choices) -> str:
    return ", ".join(f"`{value}`" for value in choices.values)


class VendorInvoiceRequestSerializer(DeadlineFieldsSerializer, ShippingFieldsSerializer, serializers.ModelSerializer):
    """A request in the vendor's queue.

    `today` in the serializer context (an Asia/Shanghai date) fixes the day `working_days_left` and `is_overdue`
    count from; the views compute it once per response.
    """

    status_display = serializers.CharField(source="get_status_display", read_only=True)
    invoice_type_display = serializers.CharField(source="get_invoice_type_display", read_only=True)
    vendor_name = serializers.CharField(source="vendor.name", read_only=True)
    customer_account_name = serializers.CharField(source="customer_account.name", read_only=True)
    title_name = serializers.SerializerMethodField(help_text="The title's name as submitted.")
    title_taxpayer_id = serializers.SerializerMethodField(help_text="The title's taxpayer ID as submitted.")

    class Meta:
        model = InvoiceRequest
        fields = [
            "id",
            "number",
            "status",
            "status_display",
            "amount",
            "invoice_type",
            "invoice_type_display",
            "shipping_rule",
            "shipping_rule_display",
            "shipping_payer",
            "shipping_payer_display",
            "submitted_at",
            "dispatch_due_date",
            "dispatch_due_date_provisional",
            "working_days_left",
            "is_overdue",
            "vendor",
            "vendor_name",
            "customer_account_name",
            "title_name",
            "title_taxpayer_id",
        ]
        read_only_fields = fields
        list_serializer_class = DeadlineListSerializer

    def get_title_name(self, invoice_request: InvoiceRequest) -> str:
        return (invoice_request.title_snapshot or {}).get("name", "")

    def get_title_taxpayer_id(self, invoice_request: InvoiceRequest) -> str:
        return (invoice_request.title_snapshot or {}).get("taxpayer_id", "")


class VendorInvoiceRequestDetailSerializer(MailedInvoiceFieldsSerializer, VendorInvoiceRequestSerializer):
    """Everything needed to print and post the invoice, what was mailed, and the timeline."""

    title_snapshot = TitleSnapshotSerializer(read_only=True)
    address_snapshot = AddressSnapshotSerializer(read_only=True)
    submitted_by = serializers.CharField(
        source="submitted_by.display_name",
        read_only=True,
        help_text="Who applied: the customer user's name, else the customer account's name.",
    )
    events = InvoiceEventSerializer(many=True, read_only=True)

    class Meta(VendorInvoiceRequestSerializer.Meta):
        fields = [
            *VendorInvoiceRequestSerializer.Meta.fields,
            "status_reason",
            "submitted_by",
            "title_snapshot",
            "address_snapshot",
            "invoice_numbers",
            "invoice_date",
            "courier",
            "courier_label",
            "tracking_number",
            "mailed_at",
            "events",
        ]
        read_only_fields = fields


class VendorInvoiceRequestFilterSerializer(serializers.Serializer):
    """Query parameters of the queue; an empty value means no filter. Dates are Asia/Shanghai, inclusive."""

    status = serializers.ChoiceField(choices=InvoiceRequest.Status.choices, required=False)
    submitted_from = serializers.DateField(required=False, input_formats=["%Y-%m-%d"], help_text="YYYY-MM-DD.")
    submitted_to = serializers.DateField(required=False, input_formats=["%Y-%m-%d"], help_text="YYYY-MM-DD.")
    due_from = serializers.DateField(
        required=False, input_formats=["%Y-%m-%d"], help_text="Mail-by date from, YYYY-MM-DD."
    )
    due_to = serializers.DateField(required=False, input_formats=["%Y-%m-%d"], help_text="Mail-by date to, YYYY-MM-DD.")
    overdue = serializers.BooleanField(
        required=False, help_text="`true`: only pending or processing requests past their mail-by date."
    )
    search = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text="Request number, customer account name, title name or taxpayer ID.",
    )


class VendorInvoiceRequestRejectSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=f"Required, at most {STATUS_REASON_MAX_LENGTH} characters: the customer sees it on the request.",
    )
    # Missing or blank, the service refuses it in its own words (`reason_required`); the schema says it is required.
    schema_required_fields = ("reason",)


@extend_schema_field(
    {
        "oneOf": [
            {"type": "array", "items": {"type": "string"}, "example": ["04512345", "04512346"]},
            {"type": "string", "example": "04512345, 04512346"},
        ],
        "description": "The invoice number(s) issued: a list, or one string separated by commas. "
        "Each is 6 to 32 letters, digits or dashes, never used before by your company.",
    }
)
class InvoiceNumbersField(serializers.Field):
    """A list of invoice numbers or one comma-separated string; the service splits and checks them."""

    default_error_messages = {"invalid": _("Enter the invoice numbers as a list or as one string separated by commas.")}

    def to_internal_value(self, data):
        if isinstance(data, str):
            return data
        if isinstance(data, list) and all(isinstance(item, str | int) and not isinstance(item, bool) for item in data):
            return [str(item) for item in data]
        self.fail("invalid")

    def to_representation(self, value):
        return value


class VendorInvoiceRequestMailSerializer(serializers.Serializer):
    """What was mailed. Types only: `invoice_request_mail` checks every value and the shipping-payer rule."""

    invoice_numbers = InvoiceNumbersField()
    invoice_date = serializers.DateField(input_formats=["%Y-%m-%d"], help_text="YYYY-MM-DD, not in the future.")
    courier = serializers.CharField(allow_blank=True, help_text=f"One of {_values(Courier)}.")
    courier_name = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="The courier's name when `courier` is `other`."
    )
    tracking_number = serializers.CharField(
        allow_blank=True, help_text="6 to 40 letters, digits or dashes; unique per courier."
    )
    shipping_payer = serializers.CharField(
        allow_blank=True,
        help_text=f"{_values(ShippingPayer)}. `recipient` (cash on delivery) only for an amount below "
        f"{VENDOR_PAYS_SHIPPING_FROM}.",
    )


class VendorBulkAcceptSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=IdField(),
        allow_empty=False,
        max_length=500,
        help_text="IDs of pending requests to accept.",
    )


class BulkAcceptFailureSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    message = serializers.CharField(help_text="Why this one was not accepted (e.g. the customer cancelled it).")


class VendorBulkAcceptResultSerializer(serializers.Serializer):
    accepted = VendorInvoiceRequestSerializer(many=True, help_text="The requests accepted now, now processing.")
    failed = BulkAcceptFailureSerializer(many=True, help_text="The others, each left unchanged.")


class MailingImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="CSV (UTF-8, with or without BOM, or GB18030 as Excel saves it) with the columns "
        "request_number, invoice_numbers, invoice_date, courier, tracking_number, shipping_payer."
    )


class MailingImportErrorSerializer(serializers.Serializer):
    line = serializers.IntegerField(help_text="Line in the file (1 is the header).")
    request_number = serializers.CharField()
    message = serializers.CharField()


class MailingImportReportSerializer(serializers.Serializer):
    applied = serializers.ListField(child=serializers.CharField(), help_text="Request numbers marked mailed now.")
    unchanged = serializers.ListField(
        child=serializers.CharField(), help_text="Request numbers already mailed with this courier and tracking number."
    )
    errors = MailingImportErrorSerializer(many=True, help_text="Rows not applied, each left unchanged.")
