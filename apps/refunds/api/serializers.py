"""Typed input (amounts become Decimal, ids int or the objects they name in the actor's scope) and the output shapes.

The services check every rule and say what is wrong with each field; these serializers only parse.
"""

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.accounts.models import CustomerAccount, Vendor
from apps.billing.api.serializers import money_field
from apps.core.api import AmountField, IdField, IdRelatedField
from apps.core.money import parse_amount
from apps.core.scope import find_in_scope
from apps.invoices.api.serializers import InvoiceEventSerializer
from apps.invoices.models import Courier

from ..models import InvoiceReturn, Refund, SupportTicket, TicketAttachment, TicketMessage, Withdrawal


def _amount(value: str) -> Decimal:
    # A malformed amount raises ApplicationError (`invalid_amount`, the message on `amount`), answered as is.
    return parse_amount(value)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", help_text="Kept with the decision.")


class RequiredReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, help_text="Required: why (the other party reads it).")


# Refunds


class RefundSerializer(serializers.ModelSerializer):
    vendor_name = serializers.CharField(source="vendor.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    amount = money_field(read_only=True)

    class Meta:
        model = Refund
        fields = [
            "id",
            "vendor",
            "vendor_name",
            "amount",
            "reason",
            "status",
            "status_display",
            "decision_reason",
            "decided_at",
            "external_id",
            "created_at",
        ]
        read_only_fields = fields


class VendorRefundSerializer(RefundSerializer):
    customer_account_name = serializers.CharField(source="customer_account.name", read_only=True)

    class Meta(RefundSerializer.Meta):
        fields = [*RefundSerializer.Meta.fields, "customer_account", "customer_account_name"]
        read_only_fields = fields


class RefundCreateSerializer(serializers.Serializer):
    vendor = IdField(help_text="ID of a vendor you consumed with (see /api/v1/invoiceable/).")
    amount = AmountField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")

    def validate_vendor(self, value: int) -> Vendor | None:
        return find_in_scope(Vendor.objects.all(), value)

    def validate_amount(self, value: str) -> Decimal:
        return _amount(value)


class BillingRefundSerializer(serializers.Serializer):
    external_id = serializers.CharField(max_length=64, help_text="The billing system's id: posting it again is safe.")
    customer_account = IdRelatedField(queryset=CustomerAccount.objects.all())
    vendor = IdRelatedField(queryset=Vendor.objects.all())
    amount = AmountField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")

    def validate_amount(self, value: str) -> Decimal:
        return _amount(value)


# Invoice debt


class BlockingInvoiceSerializer(serializers.Serializer):
    invoice_request = serializers.IntegerField(source="invoice_request.pk")
    invoice_request_number = serializers.CharField(source="invoice_request.number")
    invoice_request_status = serializers.CharField(source="invoice_request.status")
    amount = money_field(source="invoice_request.amount", read_only=True)
    action = serializers.ChoiceField(
        choices=["cancel", "return", "wait_for_void"],
        help_text="`cancel` (still pending), `return` (ask the vendor for a return and send it back), "
        "`wait_for_void` (back with the vendor: file a ticket, staff void it).",
    )
    message = serializers.CharField(help_text="What to do with this invoice, in the user's language.")


class VendorDebtSerializer(serializers.Serializer):
    vendor = serializers.IntegerField(source="vendor.pk")
    vendor_name = serializers.CharField(source="vendor.name")
    debt = money_field(read_only=True, help_text="Requests pending, processing or mailing − (consumed − refunded).")
    message = serializers.CharField(help_text="The debt and what it blocks, in the user's language.")
    blocking = BlockingInvoiceSerializer(many=True, help_text="The invoices whose cancel or return settles it.")


# Invoice returns


class InvoiceReturnSerializer(serializers.ModelSerializer):
    vendor = serializers.IntegerField(source="invoice_request.vendor_id", read_only=True)
    vendor_name = serializers.CharField(source="invoice_request.vendor.name", read_only=True)
    purpose_display = serializers.CharField(source="get_purpose_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    customer_pays_postage = serializers.BooleanField(read_only=True)

    class Meta:
        model = InvoiceReturn
        fields = [
            "id",
            "invoice_request",
            "vendor",
            "vendor_name",
            "purpose",
            "purpose_display",
            "reason",
            "status",
            "status_display",
            "vendor_fault",
            "customer_pays_postage",
            "decision_reason",
            "decided_at",
            "courier",
            "courier_name",
            "tracking_number",
            "shipped_at",
            "received_at",
            "created_at",
        ]
        read_only_fields = fields


class InvoiceReturnCreateSerializer(serializers.Serializer):
    invoice_request = IdField(help_text="ID of your processing or mailing invoice request.")
    purpose = serializers.ChoiceField(choices=InvoiceReturn.Purpose.choices)
    reason = serializers.CharField(allow_blank=True)


class InvoiceReturnShipSerializer(serializers.Serializer):
    courier = serializers.ChoiceField(choices=Courier.choices)
    courier_name = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="The courier's name when `courier` is `other`."
    )
    tracking_number = serializers.CharField(allow_blank=True)


class InvoiceReturnAgreeSerializer(serializers.Serializer):
    fault = serializers.ChoiceField(
        choices=InvoiceReturn.Fault.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="Empty: not your fault, the customer pays return postage; `mismatch` or `damaged`: you pay it.",
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="")


# Tickets


class TicketAttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = TicketAttachment
        fields = ["id", "original_name", "content_type", "size", "created_at"]
        read_only_fields = fields


class TicketMessageSerializer(serializers.ModelSerializer):
    author_name = serializers.CharField(source="author.display_name", read_only=True)
    by_staff = serializers.BooleanField(source="author.is_marketplace_staff", read_only=True)
    attachments = TicketAttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = TicketMessage
        fields = ["id", "author_name", "by_staff", "body", "attachments", "created_at"]
        read_only_fields = fields


class TicketSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    assignee_name = serializers.CharField(source="assignee.display_name", read_only=True, allow_null=True)

    class Meta:
        model = SupportTicket
        fields = [
            "id",
            "subject",
            "status",
            "status_display",
            "invoice_request",
            "invoice_return",
            "assignee_name",
            "last_message_at",
            "resolved_at",
            "created_at",
        ]
        read_only_fields = fields


class TicketDetailSerializer(TicketSerializer):
    messages = TicketMessageSerializer(many=True, read_only=True)

    class Meta(TicketSerializer.Meta):
        fields = [*TicketSerializer.Meta.fields, "messages"]
        read_only_fields = fields


class StaffTicketSerializer(TicketSerializer):
    customer_account = serializers.IntegerField(source="customer_account_id", read_only=True)
    customer_account_name = serializers.CharField(source="customer_account.name", read_only=True)

    class Meta(TicketSerializer.Meta):
        fields = [*TicketSerializer.Meta.fields, "customer_account", "customer_account_name"]
        read_only_fields = fields


class StaffTicketDetailSerializer(StaffTicketSerializer):
    messages = TicketMessageSerializer(many=True, read_only=True)
    invoice_request_events = serializers.SerializerMethodField(
        help_text="The linked request's whole timeline, oldest first."
    )
    invoice_request_returns = serializers.SerializerMethodField(help_text="The linked request's returns, newest first.")

    class Meta(StaffTicketSerializer.Meta):
        fields = [*StaffTicketSerializer.Meta.fields, "messages", "invoice_request_events", "invoice_request_returns"]
        read_only_fields = fields

    @extend_schema_field(InvoiceEventSerializer(many=True))
    def get_invoice_request_events(self, ticket: SupportTicket) -> list[dict]:
        if ticket.invoice_request_id is None:
            return []
        # Prefetched oldest first with the actors by selectors.ticket_for_staff.
        return InvoiceEventSerializer(ticket.invoice_request.events.all(), many=True).data

    @extend_schema_field(InvoiceReturnSerializer(many=True))
    def get_invoice_request_returns(self, ticket: SupportTicket) -> list[dict]:
        if ticket.invoice_request_id is None:
            return []
        return InvoiceReturnSerializer(ticket.invoice_request.returns.all(), many=True).data


class TicketCreateSerializer(serializers.Serializer):
    subject = serializers.CharField(allow_blank=True)
    body = serializers.CharField(allow_blank=True)
    invoice_request = IdField(required=False, allow_null=True, default=None)
    invoice_return = IdField(required=False, allow_null=True, default=None)
    files = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, help_text="Images or PDFs (multipart)."
    )


class TicketReplySerializer(serializers.Serializer):
    body = serializers.CharField(allow_blank=True)
    files = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, help_text="Images or PDFs (multipart)."
    )


class TicketResolveSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class StaffTicketFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=SupportTicket.Status.choices, required=False)
    vendor = IdField(required=False)
    older_than_days = serializers.IntegerField(required=False, min_value=0, max_value=3650)
    assignee = serializers.ChoiceField(choices=["me", "none"], required=False)


# Voiding


class VoidSerializer(serializers.Serializer):
    ticket = IdField(help_text="ID of the open support ticket linked to this request.")
    reason = serializers.CharField(allow_blank=True)


# Withdrawals


class WithdrawalSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    amount = money_field(read_only=True)

    class Meta:
        model = Withdrawal
        fields = [
            "id",
            "amount",
            "bank_name",
            "bank_account",
            "account_holder",
            "status",
            "status_display",
            "decision_reason",
            "decided_at",
            "created_at",
        ]
        read_only_fields = fields


class StaffWithdrawalSerializer(WithdrawalSerializer):
    customer_account = serializers.IntegerField(source="customer_account_id", read_only=True)
    customer_account_name = serializers.CharField(source="customer_account.name", read_only=True)

    class Meta(WithdrawalSerializer.Meta):
        fields = [*WithdrawalSerializer.Meta.fields, "customer_account", "customer_account_name"]
        read_only_fields = fields


class WithdrawalCreateSerializer(serializers.Serializer):
    amount = AmountField()
    bank_name = serializers.CharField(allow_blank=True)
    bank_account = serializers.CharField(allow_blank=True)
    account_holder = serializers.CharField(allow_blank=True)

    def validate_amount(self, value: str) -> Decimal:
        return _amount(value)


class WithdrawalStatusFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Withdrawal.Status.choices, required=False)


class RefundStatusFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Refund.Status.choices, required=False)


class WalletSerializer(serializers.Serializer):
    refunded = money_field(read_only=True)
    withdrawn = money_field(read_only=True)
    withdrawable = money_field(read_only=True)
