from rest_framework import serializers

from apps.accounts.api.base import AmountField
from apps.accounts.models import InvoiceType
from apps.titles.models import InvoiceTitle

from ..models import InvoiceEvent, InvoiceRequest


class TitleSnapshotSerializer(serializers.Serializer):
    """The invoice title as it was when the request was submitted."""

    kind = serializers.ChoiceField(choices=InvoiceTitle.Kind.choices, read_only=True)
    name = serializers.CharField(read_only=True)
    taxpayer_id = serializers.CharField(read_only=True)
    taxpayer_id_verified = serializers.BooleanField(read_only=True)
    registered_address = serializers.CharField(read_only=True)
    registered_phone = serializers.CharField(read_only=True)
    bank_name = serializers.CharField(read_only=True)
    bank_account = serializers.CharField(read_only=True)


class AddressSnapshotSerializer(serializers.Serializer):
    """The mailing address as it was when the request was submitted."""

    recipient = serializers.CharField(read_only=True)
    phone = serializers.CharField(read_only=True)
    province = serializers.CharField(read_only=True)
    city = serializers.CharField(read_only=True)
    district = serializers.CharField(read_only=True)
    street = serializers.CharField(read_only=True)
    postal_code = serializers.CharField(read_only=True)


class InvoiceEventSerializer(serializers.ModelSerializer):
    time = serializers.DateTimeField(source="created_at", read_only=True)
    actor = serializers.CharField(source="actor.username", read_only=True, allow_null=True, help_text="Username.")
    # Plain strings in the schema: the same choice set as `status` under another name would be a second enum.
    from_status = serializers.CharField(
        read_only=True, help_text="A `status` value; empty for the submission, which created the request."
    )
    from_status_display = serializers.CharField(source="get_from_status_display", read_only=True)
    to_status = serializers.CharField(read_only=True, help_text="A `status` value.")
    to_status_display = serializers.CharField(source="get_to_status_display", read_only=True)

    class Meta:
        model = InvoiceEvent
        fields = ["time", "actor", "from_status", "from_status_display", "to_status", "to_status_display", "reason"]
        read_only_fields = fields


class InvoiceRequestSerializer(serializers.ModelSerializer):
    """A request as the customer sees it in the records list."""

    status_display = serializers.CharField(source="get_status_display", read_only=True)
    invoice_type_display = serializers.CharField(source="get_invoice_type_display", read_only=True)
    shipping_rule = serializers.ChoiceField(
        choices=InvoiceRequest.ShippingRule.choices,
        read_only=True,
        help_text="`vendor_pays` from 50.00; below that the vendor may send it cash on delivery (`cod_allowed`).",
    )
    shipping_rule_display = serializers.CharField(source="get_shipping_rule_display", read_only=True)
    vendor_name = serializers.CharField(source="vendor.name", read_only=True)
    vendor_contact_phone = serializers.CharField(source="vendor.contact_phone", read_only=True)
    vendor_contact_email = serializers.CharField(source="vendor.contact_email", read_only=True)
    vendor_service_hours = serializers.CharField(source="vendor.service_hours", read_only=True)
    can_cancel = serializers.SerializerMethodField(help_text="Only a pending request can be cancelled.")
    title_snapshot = TitleSnapshotSerializer(read_only=True)
    address_snapshot = AddressSnapshotSerializer(read_only=True)

    class Meta:
        model = InvoiceRequest
        fields = [
            "id",
            "number",
            "status",
            "status_display",
            "status_reason",
            "can_cancel",
            "amount",
            "invoice_type",
            "invoice_type_display",
            "shipping_rule",
            "shipping_rule_display",
            "dispatch_due_date",
            "submitted_at",
            "vendor",
            "vendor_name",
            "vendor_contact_phone",
            "vendor_contact_email",
            "vendor_service_hours",
            "title_snapshot",
            "address_snapshot",
        ]
        read_only_fields = fields

    def get_can_cancel(self, request: InvoiceRequest) -> bool:
        return request.status == InvoiceRequest.Status.PENDING


class InvoiceRequestDetailSerializer(InvoiceRequestSerializer):
    """A request with its timeline: every status change, when, by whom, and why."""

    events = InvoiceEventSerializer(many=True, read_only=True)

    class Meta(InvoiceRequestSerializer.Meta):
        fields = [*InvoiceRequestSerializer.Meta.fields, "events"]
        read_only_fields = fields


class InvoiceRequestCreateSerializer(serializers.Serializer):
    """An application: up to the invoiceable amount with the vendor, for one of your titles and addresses."""

    # Types only: invoice_request_submit checks the vendor, amount, title, address and invoice type.

    vendor = serializers.IntegerField(help_text="ID of a vendor you consumed with (see /api/v1/invoiceable/).")
    amount = AmountField()
    title = serializers.IntegerField(help_text="ID of one of your invoice titles.")
    address = serializers.IntegerField(help_text="ID of one of your mailing addresses.")
    invoice_type = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="One of the vendor's `supported_invoice_types`: "
        + ", ".join(f"`{value}`" for value in InvoiceType.values)
        + "; defaults to `general` when the vendor issues it.",
    )


class InvoiceRequestCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class InvoiceRequestFilterSerializer(serializers.Serializer):
    """Query parameters of the records list; an empty value means no filter."""

    status = serializers.ChoiceField(choices=InvoiceRequest.Status.choices, required=False)
    vendor = serializers.IntegerField(required=False, min_value=1, help_text="Vendor ID.")
    submitted_from = serializers.DateField(
        required=False, input_formats=["%Y-%m-%d"], help_text="YYYY-MM-DD (Asia/Shanghai), inclusive."
    )
    submitted_to = serializers.DateField(
        required=False, input_formats=["%Y-%m-%d"], help_text="YYYY-MM-DD (Asia/Shanghai), inclusive."
    )
