import datetime as dt
from decimal import Decimal

from django.db.models import Manager, Prefetch
from rest_framework import serializers

from apps.accounts.models import InvoiceType, Vendor
from apps.addresses.models import MailingAddress
from apps.addresses.selectors import addresses_for_account
from apps.core.api import AmountField, IdField
from apps.core.api.render import (
    SnapshotRenderer,
    current_tz,
    date_out,
    datetime_out,
    decimal_out,
    display,
    labels,
    text,
)
from apps.core.money import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS, parse_amount
from apps.core.scope import find_in_scope
from apps.titles.models import InvoiceTitle
from apps.titles.selectors import titles_for_account

from ..models import (
    STATUS_REASON_MAX_LENGTH,
    VENDOR_PAYS_SHIPPING_FROM,
    Courier,
    InvoiceEvent,
    InvoiceRequest,
    IssuedInvoice,
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

    def to_representation(self, event: InvoiceEvent) -> dict:
        # The declared fields' output, built directly (apps.core.api.render; tests/api/test_fast_rows_api.py).
        shared = render_shared(self.context)
        statuses = shared.status
        actor = event.actor
        return {
            "time": datetime_out(event.created_at, shared.tz),
            "actor": None if actor is None else str(actor.display_name),
            "kind": str(event.kind),
            "kind_display": display(shared.event_kind, event.kind),
            "from_status": str(event.from_status),
            "from_status_display": display(statuses, event.from_status),
            "to_status": str(event.to_status),
            "to_status_display": display(statuses, event.to_status),
            "reason": str(event.text),
        }


class RenderShared:
    """What every row of one answer shares: the time zone and the choice labels in the active language."""

    def __init__(self) -> None:
        self.tz = current_tz()
        self.status = labels(InvoiceRequest.Status)
        self.invoice_type = labels(InvoiceType)
        self.shipping_rule = labels(InvoiceRequest.ShippingRule)
        self.shipping_payer = labels(ShippingPayer)
        self.courier = labels(Courier)
        self.event_kind = labels(InvoiceEvent.Kind)


def render_shared(context: dict) -> RenderShared:
    """The answer's RenderShared, made once per serializer context (a page, or one object)."""
    shared = context.get("render_shared")
    if shared is None:
        shared = context["render_shared"] = RenderShared()
    return shared


def money_out(value) -> str:
    return decimal_out(value, max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES)


ISSUED_INVOICES_ATTR = "issued_invoice_list"


def issued_invoices_prefetch() -> Prefetch:
    """The invoice numbers of a page of requests in one query, as `invoice_numbers` shows them."""
    return Prefetch(
        "issued_invoices",
        queryset=IssuedInvoice.objects.only("id", "request_id", "number"),
        to_attr=ISSUED_INVOICES_ATTR,
    )


def invoice_numbers(invoice_request: InvoiceRequest) -> list[str]:
    """`invoice_numbers` (oldest first): from `issued_invoices_prefetch()` when the rows have it."""
    issued = getattr(invoice_request, ISSUED_INVOICES_ATTR, None)
    if issued is None:
        issued = invoice_request.issued_invoices.all()
    return [invoice.number for invoice in issued]


def courier_label(invoice_request: InvoiceRequest, shared: RenderShared) -> str:
    if invoice_request.courier == Courier.OTHER:
        return str(invoice_request.get_courier_label())  # the typed name (the model's rule)
    return display(shared.courier, invoice_request.courier)


class DeadlineListSerializer(serializers.ListSerializer):
    """Counts every row's working days with one working-day calendar, so a page's queries do not grow with it."""

    def to_representation(self, data):
        items = list(data.all() if isinstance(data, Manager) else data)
        self.context["deadlines"] = deadlines_for(items, today=self.context.get("today"))
        render_shared(self.context)
        return [self.child.to_representation(item) for item in items]


render_title_snapshot = SnapshotRenderer(TitleSnapshotSerializer)
render_address_snapshot = SnapshotRenderer(AddressSnapshotSerializer)


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

    def to_representation(self, invoice_request: InvoiceRequest) -> dict:
        # The declared fields' output, built directly: no field object per value (apps.core.api.render).
        # tests/api/test_fast_rows_api.py checks it equals DRF's generic rendering of these fields.
        shared = render_shared(self.context)
        tz = shared.tz
        deadline = self._deadline(invoice_request)
        vendor = invoice_request.vendor
        status = invoice_request.status
        shipping_rule = invoice_request.shipping_rule
        return {
            "id": invoice_request.pk,
            "number": text(invoice_request.number),
            "status": str(status),
            "status_display": display(shared.status, status),
            "status_reason": text(invoice_request.status_reason),
            "rejection_reason": self.get_rejection_reason(invoice_request),
            "can_cancel": invoice_request.can_cancel,
            "amount": money_out(invoice_request.amount),
            "invoice_type": str(invoice_request.invoice_type),
            "invoice_type_display": display(shared.invoice_type, invoice_request.invoice_type),
            "shipping_rule": str(shipping_rule),
            "shipping_rule_display": display(shared.shipping_rule, shipping_rule),
            "dispatch_due_date": date_out(invoice_request.dispatch_due_date),
            "dispatch_due_date_provisional": bool(invoice_request.dispatch_due_date_provisional),
            "working_days_left": deadline.days_left,
            "is_overdue": deadline.overdue,
            "submitted_at": datetime_out(invoice_request.submitted_at, tz),
            "vendor": invoice_request.vendor_id,
            "vendor_name": text(vendor.name),
            "vendor_contact_phone": text(vendor.contact_phone),
            "vendor_contact_email": text(vendor.contact_email),
            "vendor_service_hours": text(vendor.service_hours),
            "title_snapshot": render_title_snapshot(invoice_request.title_snapshot),
            "address_snapshot": render_address_snapshot(invoice_request.address_snapshot),
            "invoice_numbers": invoice_numbers(invoice_request),
            "invoice_date": date_out(invoice_request.invoice_date),
            "courier": text(invoice_request.courier),
            "courier_label": courier_label(invoice_request, shared),
            "tracking_number": text(invoice_request.tracking_number),
            "shipping_payer": text(invoice_request.shipping_payer),
            "shipping_payer_display": display(shared.shipping_payer, invoice_request.shipping_payer),
            "mailed_at": datetime_out(invoice_request.mailed_at, tz),
        }


class InvoiceRequestDetailSerializer(InvoiceRequestSerializer):
    """A request with its timeline: every status change, when, by whom, and why."""

    events = InvoiceEventSerializer(many=True, read_only=True)

    class Meta(InvoiceRequestSerializer.Meta):
        fields = [*InvoiceRequestSerializer.Meta.fields, "events"]
        read_only_fields = fields

    def to_representation(self, invoice_request: InvoiceRequest) -> dict:
        row = super().to_representation(invoice_request)
        events = InvoiceEventSerializer(many=True, context=self.context)
        row["events"] = events.to_representation(invoice_request.events.all())
        return row


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
