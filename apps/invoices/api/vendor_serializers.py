"""Serializers of the vendor back-office API: they render and parse types only; the services own every rule."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.api import IdField
from apps.core.api.render import date_out, datetime_out, display, text

from ..models import STATUS_REASON_MAX_LENGTH, VENDOR_PAYS_SHIPPING_FROM, Courier, InvoiceRequest, ShippingPayer
from .serializers import (
    AddressSnapshotSerializer,
    DeadlineFieldsSerializer,
    DeadlineListSerializer,
    InvoiceEventSerializer,
    MailedInvoiceFieldsSerializer,
    ShippingFieldsSerializer,
    TitleSnapshotSerializer,
    courier_label,
    invoice_numbers,
    money_out,
    render_address_snapshot,
    render_shared,
    render_title_snapshot,
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

    def to_representation(self, invoice_request: InvoiceRequest) -> dict:
        # The declared fields' output, built directly: no field object per value (apps.core.api.render).
        # tests/api/test_fast_rows_api.py checks it equals DRF's generic rendering of these fields.
        shared = render_shared(self.context)
        deadline = self._deadline(invoice_request)
        status = invoice_request.status
        shipping_rule = invoice_request.shipping_rule
        return {
            "id": invoice_request.pk,
            "number": text(invoice_request.number),
            "status": str(status),
            "status_display": display(shared.status, status),
            "amount": money_out(invoice_request.amount),
            "invoice_type": str(invoice_request.invoice_type),
            "invoice_type_display": display(shared.invoice_type, invoice_request.invoice_type),
            "shipping_rule": str(shipping_rule),
            "shipping_rule_display": display(shared.shipping_rule, shipping_rule),
            "shipping_payer": text(invoice_request.shipping_payer),
            "shipping_payer_display": display(shared.shipping_payer, invoice_request.shipping_payer),
            "submitted_at": datetime_out(invoice_request.submitted_at, shared.tz),
            "dispatch_due_date": date_out(invoice_request.dispatch_due_date),
            "dispatch_due_date_provisional": bool(invoice_request.dispatch_due_date_provisional),
            "working_days_left": deadline.days_left,
            "is_overdue": deadline.overdue,
            "vendor": invoice_request.vendor_id,
            "vendor_name": text(invoice_request.vendor.name),
            "customer_account_name": text(invoice_request.customer_account.name),
            "title_name": self.get_title_name(invoice_request),
            "title_taxpayer_id": self.get_title_taxpayer_id(invoice_request),
        }


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

    def to_representation(self, invoice_request: InvoiceRequest) -> dict:
        shared = render_shared(self.context)
        row = super().to_representation(invoice_request)
        row.update(
            status_reason=text(invoice_request.status_reason),
            submitted_by=text(invoice_request.submitted_by.display_name),
            title_snapshot=render_title_snapshot(invoice_request.title_snapshot),
            address_snapshot=render_address_snapshot(invoice_request.address_snapshot),
            invoice_numbers=invoice_numbers(invoice_request),
            invoice_date=date_out(invoice_request.invoice_date),
            courier=text(invoice_request.courier),
            courier_label=courier_label(invoice_request, shared),
            tracking_number=text(invoice_request.tracking_number),
            mailed_at=datetime_out(invoice_request.mailed_at, shared.tz),
            events=InvoiceEventSerializer(many=True, context=self.context).to_representation(
                invoice_request.events.all()
            ),
        )
        return row


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
