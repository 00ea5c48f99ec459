"""Refunds, invoice debt, invoice returns, support tickets, voiding and withdrawals over the API.

Every object is looked up in the actor's scope first (404 outside: the customer's own account, the vendor's own
requests, staff see all), then the service re-checks under row locks; lost races answer 409.
"""

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from apps.core.api import (
    API_AUTHENTICATION,
    CustomerApiMixin,
    IsCustomer,
    IsStaff,
    IsVendor,
    NumericLookupMixin,
    error_responses,
)
from apps.core.api.parsers import FormParser, JSONParser
from apps.core.errors import ApplicationError
from apps.core.scope import get_in_scope_or_not_found
from apps.core.workdays import calendar_date
from apps.invoices.api.vendor_serializers import VendorInvoiceRequestDetailSerializer
from apps.invoices.models import InvoiceRequest
from apps.invoices.selectors import timeline_prefetch

from .. import selectors
from ..files import attachment_for_user, attachment_response
from ..models import InvoiceReturn, Refund, SupportTicket, Withdrawal
from ..services import refunds as refund_services
from ..services import returns as return_services
from ..services import tickets as ticket_services
from ..services import voiding as voiding_services
from ..services import withdrawals as withdrawal_services
from .serializers import (
    BillingRefundSerializer,
    InvoiceReturnAgreeSerializer,
    InvoiceReturnCreateSerializer,
    InvoiceReturnSerializer,
    InvoiceReturnShipSerializer,
    ReasonSerializer,
    RefundCreateSerializer,
    RefundSerializer,
    RefundStatusFilterSerializer,
    RequiredReasonSerializer,
    StaffTicketDetailSerializer,
    StaffTicketFilterSerializer,
    StaffTicketSerializer,
    StaffWithdrawalSerializer,
    TicketCreateSerializer,
    TicketDetailSerializer,
    TicketReplySerializer,
    TicketResolveSerializer,
    TicketSerializer,
    VendorDebtSerializer,
    VendorRefundSerializer,
    VoidSerializer,
    WalletSerializer,
    WithdrawalCreateSerializer,
    WithdrawalSerializer,
    WithdrawalStatusFilterSerializer,
)

IDEMPOTENCY_KEY = OpenApiParameter(
    name="Idempotency-Key",
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description="Any unique string up to 64 characters. Sending the same key again answers the first withdrawal.",
)
# Multipart first (attachments); JSON and forms through the core parsers, which answer 400 to a body nested too
# deeply or too large instead of a 500.
FILE_PARSERS = [MultiPartParser, FormParser, JSONParser]


def _files(request) -> list:
    """Uploaded files of a multipart body (`files`, repeated); none for JSON."""
    return request.FILES.getlist("files") if hasattr(request, "FILES") else []


class VendorApiMixin(NumericLookupMixin):
    authentication_classes = API_AUTHENTICATION
    permission_classes = [IsVendor]

    @property
    def vendor(self):
        return self.request.user.vendor


class IsCustomerOrStaff(BasePermission):
    message = IsCustomer.message

    def has_permission(self, request, view) -> bool:
        return IsCustomer().has_permission(request, view) or IsStaff().has_permission(request, view)


class StaffApiMixin(NumericLookupMixin):
    authentication_classes = API_AUTHENTICATION
    permission_classes = [IsStaff]


def _fake(view) -> bool:
    return getattr(view, "swagger_fake_view", False)


# Refunds


@extend_schema_view(
    list=extend_schema(
        summary="Your refund requests, newest first",
        responses={200: RefundSerializer(many=True), **error_responses(401, 403)},
    ),
    retrieve=extend_schema(responses={200: RefundSerializer, **error_responses(401, 403, 404)}),
    create=extend_schema(
        summary="Ask a vendor to refund consumption (at most consumed − refunded)",
        request=RefundCreateSerializer,
        responses={201: RefundSerializer, **error_responses(400, 401, 403)},
    ),
)
@extend_schema(tags=["Refunds"])
class RefundViewSet(CustomerApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Refunds (退款) of the customer's account. An approved refund lowers what you consumed with the vendor."""

    serializer_class = RefundSerializer

    def get_queryset(self) -> QuerySet[Refund]:
        if self.is_schema_generation:
            return Refund.objects.none()
        return selectors.refunds_for_customer(customer_account=self.customer_account)

    def create(self, request):
        serializer = RefundCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        refund = refund_services.refund_request(
            actor=request.user, customer_account=self.customer_account, **serializer.validated_data
        )
        return Response(RefundSerializer(refund).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary="Refund requests addressed to your company",
        parameters=[RefundStatusFilterSerializer],
        responses={200: VendorRefundSerializer(many=True), **error_responses(400, 401, 403)},
    ),
    retrieve=extend_schema(responses={200: VendorRefundSerializer, **error_responses(401, 403, 404)}),
)
@extend_schema(tags=["Vendor: refunds"])
class VendorRefundViewSet(VendorApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Customers' refund requests to the vendor: approve or reject with a reason."""

    serializer_class = VendorRefundSerializer

    def get_queryset(self) -> QuerySet[Refund]:
        if _fake(self):
            return Refund.objects.none()
        return selectors.refunds_for_vendor(vendor=self.vendor).select_related("vendor")

    def list(self, request):
        filters = RefundStatusFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        refunds = selectors.refunds_for_vendor(vendor=self.vendor, status=filters.validated_data.get("status"))
        page = self.paginate_queryset(refunds)
        return self.get_paginated_response(VendorRefundSerializer(page, many=True).data)

    def _answer(self, refund_id: int) -> Response:
        return Response(VendorRefundSerializer(self.get_queryset().get(pk=refund_id)).data)

    @extend_schema(
        operation_id="v1_vendor_refunds_approve",
        summary="Approve a refund: the customer's consumption with you drops by its amount",
        request=ReasonSerializer,
        responses={200: VendorRefundSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        refund = self.get_object()
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        refund_services.refund_approve(
            actor=request.user, vendor=self.vendor, refund_id=refund.pk, reason=serializer.validated_data["reason"]
        )
        return self._answer(refund.pk)

    @extend_schema(
        operation_id="v1_vendor_refunds_reject",
        summary="Reject a refund, with a reason",
        request=RequiredReasonSerializer,
        responses={200: VendorRefundSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        refund = self.get_object()
        serializer = RequiredReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        refund_services.refund_reject(
            actor=request.user, vendor=self.vendor, refund_id=refund.pk, reason=serializer.validated_data["reason"]
        )
        return self._answer(refund.pk)


@extend_schema(tags=["Billing (staff)"])
class BillingRefundCreateApi(generics.GenericAPIView):
    """Post a refund the billing system already approved (idempotent by `external_id`)."""

    authentication_classes = API_AUTHENTICATION
    permission_classes = [IsStaff]
    serializer_class = BillingRefundSerializer

    @extend_schema(
        request=BillingRefundSerializer,
        responses={
            201: OpenApiResponse(VendorRefundSerializer, description="Recorded and approved."),
            200: OpenApiResponse(VendorRefundSerializer, description="This external_id was already posted."),
            **error_responses(400, 401, 403, 409),
        },
    )
    def post(self, request):
        serializer = BillingRefundSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        refund, created = refund_services.refund_post_approved(**serializer.validated_data)
        return Response(
            VendorRefundSerializer(refund).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


@extend_schema(tags=["Refunds"])
class InvoiceDebtListApi(CustomerApiMixin, generics.GenericAPIView):
    """Invoice debt (欠票) per vendor: the invoices to return (or cancel, if still pending) to settle it."""

    serializer_class = VendorDebtSerializer
    pagination_class = None

    @extend_schema(
        summary="Your invoice debt per vendor, with the blocking invoices",
        responses={200: VendorDebtSerializer(many=True), **error_responses(401, 403)},
    )
    def get(self, request):
        debts = selectors.invoice_debts_for_account(customer_account=self.customer_account)
        return Response(VendorDebtSerializer(debts, many=True).data)


# Invoice returns


@extend_schema_view(
    list=extend_schema(
        summary="Your invoice returns, newest first",
        responses={200: InvoiceReturnSerializer(many=True), **error_responses(401, 403)},
    ),
    retrieve=extend_schema(responses={200: InvoiceReturnSerializer, **error_responses(401, 403, 404)}),
    create=extend_schema(
        summary="Ask the vendor to take back a processing or mailing request's invoice",
        request=InvoiceReturnCreateSerializer,
        responses={201: InvoiceReturnSerializer, **error_responses(400, 401, 403, 404, 409)},
    ),
)
@extend_schema(tags=["Invoice returns"])
class InvoiceReturnViewSet(CustomerApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Invoice returns (退票) of the customer's account: ask, then send the invoice back once the vendor agrees."""

    serializer_class = InvoiceReturnSerializer

    def get_queryset(self) -> QuerySet[InvoiceReturn]:
        if self.is_schema_generation:
            return InvoiceReturn.objects.none()
        return selectors.returns_for_customer(customer_account=self.customer_account)

    def create(self, request):
        serializer = InvoiceReturnCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        invoice_request = get_in_scope_or_not_found(
            InvoiceRequest.objects.filter(customer_account=self.customer_account), data["invoice_request"]
        )
        invoice_return = return_services.invoice_return_request(
            actor=request.user,
            customer_account=self.customer_account,
            invoice_request_id=invoice_request.pk,
            purpose=data["purpose"],
            reason=data["reason"],
        )
        return Response(
            InvoiceReturnSerializer(self.get_queryset().get(pk=invoice_return.pk)).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        operation_id="v1_invoice_returns_ship",
        summary="Say how the invoice goes back: courier and tracking number",
        request=InvoiceReturnShipSerializer,
        responses={200: InvoiceReturnSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def ship(self, request, pk=None):
        invoice_return = self.get_object()
        serializer = InvoiceReturnShipSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return_services.invoice_return_ship(
            actor=request.user,
            customer_account=self.customer_account,
            return_id=invoice_return.pk,
            **serializer.validated_data,
        )
        return Response(InvoiceReturnSerializer(self.get_queryset().get(pk=invoice_return.pk)).data)


@extend_schema_view(
    list=extend_schema(
        summary="Returns of your company's invoices, newest first",
        responses={200: InvoiceReturnSerializer(many=True), **error_responses(401, 403)},
    ),
    retrieve=extend_schema(responses={200: InvoiceReturnSerializer, **error_responses(401, 403, 404)}),
)
@extend_schema(tags=["Vendor: invoice returns"])
class VendorInvoiceReturnViewSet(
    VendorApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Customers sending invoices back: agree (stating fault: who pays postage), decline, confirm receipt."""

    serializer_class = InvoiceReturnSerializer

    def get_queryset(self) -> QuerySet[InvoiceReturn]:
        if _fake(self):
            return InvoiceReturn.objects.none()
        return selectors.returns_for_vendor(vendor=self.vendor)

    def _answer(self, return_id: int) -> Response:
        return Response(InvoiceReturnSerializer(self.get_queryset().get(pk=return_id)).data)

    @extend_schema(
        operation_id="v1_vendor_invoice_returns_agree",
        summary="Agree to take the invoice back; `fault` says whether you pay return postage",
        request=InvoiceReturnAgreeSerializer,
        responses={200: InvoiceReturnSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def agree(self, request, pk=None):
        invoice_return = self.get_object()
        serializer = InvoiceReturnAgreeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return_services.invoice_return_agree(
            actor=request.user, vendor=self.vendor, return_id=invoice_return.pk, **serializer.validated_data
        )
        return self._answer(invoice_return.pk)

    @extend_schema(
        operation_id="v1_vendor_invoice_returns_decline",
        summary="Decline the return, with a reason",
        request=RequiredReasonSerializer,
        responses={200: InvoiceReturnSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        invoice_return = self.get_object()
        serializer = RequiredReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return_services.invoice_return_decline(
            actor=request.user, vendor=self.vendor, return_id=invoice_return.pk, **serializer.validated_data
        )
        return self._answer(invoice_return.pk)

    @extend_schema(
        operation_id="v1_vendor_invoice_returns_receive",
        summary="Confirm the returned invoice arrived",
        request=None,
        responses={200: InvoiceReturnSerializer, **error_responses(401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def receive(self, request, pk=None):
        invoice_return = self.get_object()
        return_services.invoice_return_receive(actor=request.user, vendor=self.vendor, return_id=invoice_return.pk)
        return self._answer(invoice_return.pk)


# Support tickets


@extend_schema_view(
    list=extend_schema(
        summary="Your support tickets, latest message first",
        responses={200: TicketSerializer(many=True), **error_responses(401, 403)},
    ),
    retrieve=extend_schema(
        summary="One ticket with its conversation",
        responses={200: TicketDetailSerializer, **error_responses(401, 403, 404)},
    ),
    create=extend_schema(
        summary="File a support ticket (工单), e.g. asking staff to void a returned invoice",
        request={"multipart/form-data": TicketCreateSerializer, "application/json": TicketCreateSerializer},
        responses={201: TicketDetailSerializer, **error_responses(400, 401, 403, 404)},
    ),
)
@extend_schema(tags=["Support tickets"])
class TicketViewSet(CustomerApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Support tickets of the customer's account; attachments (images, PDFs) go up as multipart `files`."""

    serializer_class = TicketSerializer
    parser_classes = FILE_PARSERS

    def get_serializer_class(self):
        return TicketSerializer if self.action == "list" else TicketDetailSerializer

    def get_queryset(self) -> QuerySet[SupportTicket]:
        if self.is_schema_generation:
            return SupportTicket.objects.none()
        return selectors.tickets_for_customer(customer_account=self.customer_account)

    def retrieve(self, request, pk=None):
        return self._answer(int(pk))

    def _answer(self, ticket_id: int, http_status=status.HTTP_200_OK) -> Response:
        ticket = selectors.ticket_for_customer(customer_account=self.customer_account, ticket_id=ticket_id)
        return Response(TicketDetailSerializer(ticket).data, status=http_status)

    def create(self, request):
        serializer = TicketCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data["invoice_request"] is not None:
            get_in_scope_or_not_found(
                InvoiceRequest.objects.filter(customer_account=self.customer_account), data["invoice_request"]
            )
        if data["invoice_return"] is not None:
            get_in_scope_or_not_found(
                InvoiceReturn.objects.filter(invoice_request__customer_account=self.customer_account),
                data["invoice_return"],
            )
        ticket = ticket_services.ticket_open(
            actor=request.user,
            customer_account=self.customer_account,
            subject=data["subject"],
            body=data["body"],
            invoice_request_id=data["invoice_request"],
            invoice_return_id=data["invoice_return"],
            files=_files(request),
        )
        return self._answer(ticket.pk, status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="v1_tickets_reply",
        summary="Reply in the ticket's conversation",
        request={"multipart/form-data": TicketReplySerializer, "application/json": TicketReplySerializer},
        responses={200: TicketDetailSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        ticket = self.get_object()
        serializer = TicketReplySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ticket_services.ticket_reply(
            actor=request.user, ticket_id=ticket.pk, body=serializer.validated_data["body"], files=_files(request)
        )
        return self._answer(ticket.pk)


@extend_schema_view(
    list=extend_schema(
        summary="The ticket queue, latest message first",
        parameters=[StaffTicketFilterSerializer],
        responses={200: StaffTicketSerializer(many=True), **error_responses(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary="One ticket: the conversation and the linked request's whole history",
        responses={200: StaffTicketDetailSerializer, **error_responses(401, 403, 404)},
    ),
)
@extend_schema(tags=["Staff: support tickets"])
class StaffTicketViewSet(StaffApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Every account's support tickets: assign to yourself, reply, resolve."""

    serializer_class = StaffTicketSerializer
    parser_classes = FILE_PARSERS

    def get_serializer_class(self):
        return StaffTicketSerializer if self.action == "list" else StaffTicketDetailSerializer

    def get_queryset(self) -> QuerySet[SupportTicket]:
        if _fake(self):
            return SupportTicket.objects.none()
        return selectors.tickets_for_staff()

    def retrieve(self, request, pk=None):
        return self._answer(int(pk))

    def list(self, request):
        filters = StaffTicketFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        tickets = selectors.tickets_for_staff(
            status=filters.validated_data.get("status"),
            vendor=filters.validated_data.get("vendor"),
            older_than_days=filters.validated_data.get("older_than_days"),
            assignee=filters.validated_data.get("assignee"),
            user=request.user,
        )
        # The count annotation drops Meta.ordering (a GROUP BY query): order explicitly for stable pages.
        page = self.paginate_queryset(tickets.order_by("-last_message_at", "-id"))
        return self.get_paginated_response(StaffTicketSerializer(page, many=True).data)

    def _answer(self, ticket_id: int) -> Response:
        return Response(StaffTicketDetailSerializer(selectors.ticket_for_staff(ticket_id=ticket_id)).data)

    @extend_schema(
        operation_id="v1_staff_tickets_assign",
        summary="Assign the ticket to yourself",
        request=None,
        responses={200: StaffTicketDetailSerializer, **error_responses(401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        ticket = self.get_object()
        ticket_services.ticket_assign(actor=request.user, ticket_id=ticket.pk)
        return self._answer(ticket.pk)

    @extend_schema(
        operation_id="v1_staff_tickets_reply",
        summary="Reply to the customer",
        request={"multipart/form-data": TicketReplySerializer, "application/json": TicketReplySerializer},
        responses={200: StaffTicketDetailSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        ticket = self.get_object()
        serializer = TicketReplySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ticket_services.ticket_reply(
            actor=request.user, ticket_id=ticket.pk, body=serializer.validated_data["body"], files=_files(request)
        )
        return self._answer(ticket.pk)

    @extend_schema(
        operation_id="v1_staff_tickets_resolve",
        summary="Resolve the ticket",
        request=TicketResolveSerializer,
        responses={200: StaffTicketDetailSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        ticket = self.get_object()
        serializer = TicketResolveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ticket_services.ticket_resolve(actor=request.user, ticket_id=ticket.pk, note=serializer.validated_data["note"])
        return self._answer(ticket.pk)


# Voiding


def _request_detail(request, invoice_request_id: int) -> dict:
    invoice_request = (
        InvoiceRequest.objects.select_related("submitted_by__customer_account")
        .prefetch_related(timeline_prefetch(), "issued_invoices")
        .get(pk=invoice_request_id)
    )
    context = {"request": request, "today": calendar_date(timezone.now())}
    return VendorInvoiceRequestDetailSerializer(invoice_request, context=context).data


@extend_schema(tags=["Staff: support tickets"])
class StaffInvoiceRequestVoidApi(StaffApiMixin, generics.GenericAPIView):
    """Void a returned invoice (mailing → voided) from its support ticket; needs the void permission."""

    serializer_class = VoidSerializer

    @extend_schema(
        operation_id="v1_staff_invoice_requests_void",
        summary="Void the invoice: releases its amount (reissue or refund debt), resolves the ticket",
        request=VoidSerializer,
        responses={200: VendorInvoiceRequestDetailSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    def post(self, request, pk: int):
        invoice_request = get_in_scope_or_not_found(InvoiceRequest.objects.all(), pk)
        serializer = VoidSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ticket = get_in_scope_or_not_found(SupportTicket.objects.all(), serializer.validated_data["ticket"])
        if ticket.invoice_request_id != invoice_request.pk:
            message = _("This ticket is not about this invoice request.")
            raise ApplicationError("ticket_mismatch", message, {"ticket": [message]})
        voiding_services.invoice_request_void(
            actor=request.user, ticket_id=ticket.pk, reason=serializer.validated_data["reason"]
        )
        return Response(_request_detail(request, invoice_request.pk))


# Withdrawals


@extend_schema_view(
    list=extend_schema(
        summary="Your withdrawals, newest first",
        responses={200: WithdrawalSerializer(many=True), **error_responses(401, 403)},
    ),
    create=extend_schema(
        summary="Withdraw refunded balance to a bank account (refused while you owe invoices)",
        description="Refused with `invoice_debt` while the account owes invoices with any vendor: `fields.debts` "
        "says, per vendor, the debt and what to do with each blocking invoice (see /api/v1/invoice-debts/).",
        parameters=[IDEMPOTENCY_KEY],
        request=WithdrawalCreateSerializer,
        responses={201: WithdrawalSerializer, **error_responses(400, 401, 403, 409)},
    ),
)
@extend_schema(tags=["Withdrawals"])
class WithdrawalViewSet(CustomerApiMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Withdrawals (提现) of the customer's refunded balance: requested → paid or rejected by staff."""

    serializer_class = WithdrawalSerializer

    def get_queryset(self) -> QuerySet[Withdrawal]:
        if self.is_schema_generation:
            return Withdrawal.objects.none()
        return selectors.withdrawals_for_customer(customer_account=self.customer_account)

    def create(self, request):
        serializer = WithdrawalCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        withdrawal = withdrawal_services.withdrawal_request(
            actor=request.user,
            customer_account=self.customer_account,
            idempotency_key=request.headers.get("Idempotency-Key", ""),
            **serializer.validated_data,
        )
        return Response(WithdrawalSerializer(withdrawal).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="v1_withdrawals_balance",
        summary="Your refunded balance: refunded, withdrawn (or being paid) and withdrawable",
        responses={200: WalletSerializer, **error_responses(401, 403)},
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def balance(self, request):
        return Response(WalletSerializer(selectors.wallet_for(customer_account=self.customer_account)).data)


@extend_schema_view(
    list=extend_schema(
        summary="Withdrawals to pay, newest first",
        parameters=[WithdrawalStatusFilterSerializer],
        responses={200: StaffWithdrawalSerializer(many=True), **error_responses(400, 401, 403)},
    ),
)
@extend_schema(tags=["Staff: withdrawals"])
class StaffWithdrawalViewSet(StaffApiMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Every account's withdrawals: mark paid, or reject with a reason (the amount goes back to the balance)."""

    serializer_class = StaffWithdrawalSerializer

    def get_queryset(self) -> QuerySet[Withdrawal]:
        if _fake(self):
            return Withdrawal.objects.none()
        return selectors.withdrawals_for_staff()

    def list(self, request):
        filters = WithdrawalStatusFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        withdrawals = selectors.withdrawals_for_staff(status=filters.validated_data.get("status"))
        page = self.paginate_queryset(withdrawals)
        return self.get_paginated_response(StaffWithdrawalSerializer(page, many=True).data)

    def _answer(self, withdrawal_id: int) -> Response:
        return Response(StaffWithdrawalSerializer(self.get_queryset().get(pk=withdrawal_id)).data)

    @extend_schema(
        operation_id="v1_staff_withdrawals_pay",
        summary="Mark the withdrawal paid",
        request=None,
        responses={200: StaffWithdrawalSerializer, **error_responses(401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def pay(self, request, pk=None):
        withdrawal = self.get_object()
        withdrawal_services.withdrawal_pay(actor=request.user, withdrawal_id=withdrawal.pk)
        return self._answer(withdrawal.pk)

    @extend_schema(
        operation_id="v1_staff_withdrawals_reject",
        summary="Reject the withdrawal, with a reason (the amount goes back to the customer's balance)",
        request=RequiredReasonSerializer,
        responses={200: StaffWithdrawalSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        withdrawal = self.get_object()
        serializer = RequiredReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        withdrawal_services.withdrawal_reject(
            actor=request.user, withdrawal_id=withdrawal.pk, reason=serializer.validated_data["reason"]
        )
        return self._answer(withdrawal.pk)


@extend_schema(tags=["Support tickets"])
class TicketAttachmentDownloadApi(NumericLookupMixin, generics.GenericAPIView):
    """A ticket's attachment, for the ticket's parties only (the account's customers, marketplace staff)."""

    authentication_classes = API_AUTHENTICATION
    permission_classes = [IsCustomerOrStaff]

    @extend_schema(
        operation_id="v1_tickets_attachments_retrieve",
        summary="Download a ticket attachment (an image or a PDF)",
        responses={
            (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, description="The file."),
            **error_responses(401, 403, 404),
        },
    )
    def get(self, request, pk: int):
        attachment = attachment_for_user(user=request.user, attachment_id=pk)
        return attachment_response(attachment, inline=False)


@extend_schema(tags=["Vendor: invoice requests"])
class VendorInvoiceRequestReopenApi(VendorApiMixin, generics.GenericAPIView):
    """Put an accepted request you never mailed back in the queue (processing → pending), with a reason."""

    serializer_class = RequiredReasonSerializer

    @extend_schema(
        operation_id="v1_vendor_invoice_requests_reopen",
        summary="Put a processing, never-mailed request back to pending (the customer may then cancel it)",
        request=RequiredReasonSerializer,
        responses={200: VendorInvoiceRequestDetailSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    def post(self, request, pk: int):
        invoice_request = get_in_scope_or_not_found(InvoiceRequest.objects.filter(vendor=self.vendor), pk)
        serializer = RequiredReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return_services.invoice_request_reopen(
            actor=request.user,
            vendor=self.vendor,
            invoice_request_id=invoice_request.pk,
            reason=serializer.validated_data["reason"],
        )
        return Response(_request_detail(request, invoice_request.pk))
