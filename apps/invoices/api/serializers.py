import datetime as dt
from decimal import Decimal

from django.db.models import Manager
from rest_framework import serializers

from apps.accounts.models import InvoiceType, Vendor
from apps.addresses.models import MailingAddress
from apps.addresses.selectors import addresses_for_account
from apps.core.api import AmountField, IdField
from apps.core.money import parse_amount
from apps.core.scope import find_in_scope
from apps.titles.models import InvoiceTitle
from apps.titles.selectors import titles_for_account

from ..models import (
    STATUS_REASON_MAX_LENGTH,
    VENDOR_PAYS_SHIPPING_FROM,
    Courier,
    InvoiceEvent,
    InvoiceRequest,
    ShippingPayer,
)
from ..selectors import Deadline, deadline_for, deadlines_for


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
    actor = serializers.CharField(
        source="actor.display_name",
        read_only=True,
        allow_null=True,
        help_text="Who made the change, as people see it: a customer user's name or account, the vendor's name, "
        "or marketplace staff; null for the system.",
    )
    # Plain strings in the schema: the same choice set as `status` under another name would be a second enum.
    from_status = serializers.CharField(
        read_only=True, help_text="A `status` value; empty for the submission, which created the request."
    )
    from_status_display = serializers.CharField(source="get_from_status_display", read_only=True)
    to_status = serializers.CharField(read_only=True, help_text="A `status` value.")
    to_status_display = serializers.CharField(source="get_to_status_display", read_only=True)
    kind = serializers.CharField(
        read_only=True,
        help_text="`status_changed` for a status change; the other kinds are notes without one (`from_status` "
        "equals `to_status`): `due_date_changed` (the mail-by date was recomputed after a calendar update, "
        "`reason` says from and to), `vendor_reminded` (2 working days or fewer left), `breached` (the mail-by "
        "date passed before the invoice was mailed).",
    )
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    reason = serializers.CharField(
        source="text",
        read_only=True,
        help_text="Why: the reason given for a status change, or what a note says, in the requested language.",
    )

    class Meta:
        model = InvoiceEvent
        fields = [
            "time",
            "actor",
            "kind",
            "kind_display",
            "from_status",
            "from_status_display",
            "to_status",
            "to_status_display",
            "reason",
        ]
        read_only_fields = fields


class DeadlineListSerializer(serializers.ListSerializer):
    """Counts every row's working days with one working-day calendar, so a page's queries do not grow with it."""

    def to_representation(self, data):
        items = list(data.all() if isinstance(data, Manager) else data)
        self.context["deadlines"] = deadlines_for(items, today=self.context.get("today"))
        return super().to_representation(items)


class DeadlineFieldsSerializer(serializers.Serializer):
    """The mail-by date's standing on the working-day calendar (the customer and vendor APIs).

    `today` in the context (an Asia/Shanghai date) fixes the day counted from; lists are counted by
    `DeadlineListSerializer` (set it as the Meta's `list_serializer_class`)."""

    dispatch_due_date_provisional = serializers.BooleanField(
        read_only=True,
        help_text="True while `dispatch_due_date` depends on a year whose official holiday schedule is not known "
        "yet (counted from the statutory holidays, without make-up working days). It becomes final, and may "
        "move, when marketplace staff enter that year's schedule; the timeline then records the change.",
    )
    working_days_left = serializers.SerializerMethodField(
        help_text="Mainland-China working days (public holidays and make-up working days counted) from today "
        "(Asia/Shanghai) until `dispatch_due_date`: 0 on the day itself, negative when overdue (how many working "
        "days late); null once mailed or closed."
    )
    is_overdue = serializers.SerializerMethodField(help_text="Pending or processing, and the mail-by date has passed.")

    def _deadline(self, invoice_request: InvoiceRequest) -> Deadline:
        deadline = self.context.get("deadlines", {}).get(invoice_request.pk)
        return deadline or deadline_for(invoice_request, today=self._today())

    def _today(self) -> dt.date | None:
        return self.context.get("today")

    def get_working_days_left(self, invoice_request: InvoiceRequest) -> int | None:
        return self._deadline(invoice_request).days_left

    def get_is_overdue(self, invoice_request: InvoiceRequest) -> bool:
        return self._deadline(invoice_request).overdue


class ShippingFieldsSerializer(serializers.Serializer):
    """Who pays shipping: the rule by amount and, once mailed, the actual payer (the customer and vendor APIs)."""

    shipping_rule = serializers.ChoiceField(
        choices=InvoiceRequest.ShippingRule.choices,
        read_only=True,
        help_text=f"`vendor_pays` from {VENDOR_PAYS_SHIPPING_FROM}: shipped at the vendor's cost; below that the "
        "vendor may send it cash on delivery (`cod_allowed`).",
    )
    shipping_rule_display = serializers.CharField(source="get_shipping_rule_display", read_only=True)
    shipping_payer = serializers.CharField(
        read_only=True,
        help_text="Who actually paid shipping once mailed: "
        f"{', '.join(f'`{value}`' for value in ShippingPayer.values)}; empty until mailed.",
    )
    shipping_payer_display = serializers.CharField(
        source="get_shipping_payer_display", read_only=True, help_text="Empty until mailed."
    )


class MailedInvoiceFieldsSerializer(serializers.Serializer):
    """What the vendor recorded when it mailed the invoice, as the customer and the vendor APIs show it."""

    invoice_numbers = serializers.SlugRelatedField(
        source="issued_invoices",
        slug_field="number",
        many=True,
        read_only=True,
        help_text="The invoice number(s) issued for this request; empty until mailed.",
    )
    invoice_date = serializers.DateField(read_only=True, allow_null=True, help_text="Null until mailed.")
    courier = serializers.CharField(
        read_only=True, help_text=f"One of {', '.join(f'`{value}`' for value in Courier.values)}; empty until mailed."
    )
    courier_label = serializers.CharField(
        source="get_courier_label",
        read_only=True,
        help_text="The courier's name (the typed name for `other`); empty until mailed.",
    )
    tracking_number = serializers.CharField(read_only=True, help_text="Empty until mailed.")
    mailed_at = serializers.DateTimeField(read_only=True, allow_null=True, help_text="Null until mailed.")


class InvoiceRequestSerializer(
    DeadlineFieldsSerializer, ShippingFieldsSerializer, MailedInvoiceFieldsSerializer, serializers.ModelSerializer
):
    """A request as the customer sees it in the records list."""

    status_display = serializers.CharField(source="get_status_display", read_only=True)
    invoice_type_display = serializers.CharField(source="get_invoice_type_display", read_only=True)
    vendor_name = serializers.CharField(source="vendor.name", read_only=True)
    vendor_contact_phone = serializers.CharField(source="vendor.contact_phone", read_only=True)
    vendor_contact_email = serializers.CharField(source="vendor.contact_email", read_only=True)
    vendor_service_hours = serializers.CharField(source="vendor.service_hours", read_only=True)
    can_cancel = serializers.SerializerMethodField(help_text="Only a pending request can be cancelled.")
    title_snapshot = TitleSnapshotSerializer(read_only=True)
    address_snapshot = AddressSnapshotSerializer(read_only=True)
    rejection_reason = serializers.SerializerMethodField(
        help_text="Why the vendor rejected the request; null unless `status` is `rejected`."
    )

    class Meta:
        model = InvoiceRequest
        fields = [
            "id",
            "number",
            "status",
            "status_display",
            "status_reason",
            "rejection_reason",
            "can_cancel",
            "amount",
            "invoice_type",
            "invoice_type_display",
            "shipping_rule",
            "shipping_rule_display",
            "dispatch_due_date",
            "dispatch_due_date_provisional",
            "working_days_left",
            "is_overdue",
            "submitted_at",
            "vendor",
            "vendor_name",
            "vendor_contact_phone",
            "vendor_contact_email",
            "vendor_service_hours",
            "title_snapshot",
            "address_snapshot",
            "invoice_numbers",
            "invoice_date",
            "courier",
            "courier_label",
            "tracking_number",
            "shipping_payer",
            "shipping_payer_display",
            "mailed_at",
        ]
        read_only_fields = fields
        list_serializer_class = DeadlineListSerializer

    def get_can_cancel(self, invoice_request: InvoiceRequest) -> bool:
        return invoice_request.can_cancel

    def get_rejection_reason(self, invoice_request: InvoiceRequest) -> str | None:
        if invoice_request.status != InvoiceRequest.Status.REJECTED:
            return None
        return invoice_request.status_reason


class InvoiceRequestDetailSerializer(InvoiceRequestSerializer):
    """A request with its timeline: every status change, when, by whom, and why."""

    events = InvoiceEventSerializer(many=True, read_only=True)

    class Meta(InvoiceRequestSerializer.Meta):
        fields = [*InvoiceRequestSerializer.Meta.fields, "events"]
        read_only_fields = fields


class InvoiceRequestCreateSerializer(serializers.Serializer):
    """An application: up to the invoiceable amount with the vendor, for one of your titles and addresses."""

    # Types only: the amount becomes a Decimal, the IDs the objects they name (the title and address among the
    # account's own, `customer_account` in the context), or None when there is none; `invoice_request_submit`
    # checks every rule and says what is wrong with each field.

    vendor = IdField(help_text="ID of a vendor you consumed with (see /api/v1/invoiceable/).")
    amount = AmountField()
    title = IdField(help_text="ID of one of your invoice titles.")
    address = IdField(help_text="ID of one of your mailing addresses.")
    invoice_type = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="One of the vendor's `supported_invoice_types`: "
        + ", ".join(f"`{value}`" for value in InvoiceType.values)
        + "; defaults to `general` when the vendor issues it.",
    )

    def validate_vendor(self, value: int) -> Vendor | None:
        return find_in_scope(Vendor.objects.all(), value)

    def validate_amount(self, value: str) -> Decimal:
        # A malformed amount raises ApplicationError (`invalid_amount`, the message on `amount`), answered as is.
        return parse_amount(value)

    def validate_title(self, value: int) -> InvoiceTitle | None:
        return find_in_scope(titles_for_account(customer_account=self.context["customer_account"]), value)

    def validate_address(self, value: int) -> MailingAddress | None:
        return find_in_scope(addresses_for_account(customer_account=self.context["customer_account"]), value)


class InvoiceRequestCancelSerializer(serializers.Serializer):
    # The length limit is the service's (`invalid_reason` on `reason`); the schema states it.
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=f"Optional; at most {STATUS_REASON_MAX_LENGTH} characters. Kept in the request's timeline.",
    )


class InvoiceRequestFilterSerializer(serializers.Serializer):
    """Query parameters of the records list; an empty value means no filter."""

    status = serializers.ChoiceField(choices=InvoiceRequest.Status.choices, required=False)
    vendor = IdField(required=False, help_text="Vendor ID.")
    submitted_from = serializers.DateField(
        required=False, input_formats=["%Y-%m-%d"], help_text="YYYY-MM-DD (Asia/Shanghai), inclusive."
    )
    submitted_to = serializers.DateField(
        required=False, input_formats=["%Y-%m-%d"], help_text="YYYY-MM-DD (Asia/Shanghai), inclusive."
    )
