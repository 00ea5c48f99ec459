from django.db.models import prefetch_related_objects
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.api import CustomerApiMixin, error_responses
from apps.core.api.filters import query_filters
from apps.core.paging import CountedRows

from ..models import InvoiceRequest
from ..selectors import customer_request_count, invoice_requests_for_customer, timeline_prefetch
from ..services import invoice_request_cancel, invoice_request_submit
from .serializers import (
    ISSUED_INVOICES_ATTR,
    InvoiceRequestCancelSerializer,
    InvoiceRequestCreateSerializer,
    InvoiceRequestDetailSerializer,
    InvoiceRequestFilterSerializer,
    InvoiceRequestSerializer,
    issued_invoices_prefetch,
)

IDEMPOTENCY_KEY = OpenApiParameter(
    name="Idempotency-Key",
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description="Any unique string up to 64 characters. Sending the same key again answers 200 with the request "
    "the first submission created, instead of creating another one.",
)


@extend_schema_view(
    list=extend_schema(
        summary="Your invoice requests, newest first",
        parameters=[InvoiceRequestFilterSerializer],
        responses={200: InvoiceRequestSerializer(many=True), **error_responses(400, 401, 403, 404)},
    ),
    retrieve=extend_schema(
        summary="One invoice request with its timeline",
        responses={200: InvoiceRequestDetailSerializer, **error_responses(401, 403, 404)},
    ),
    create=extend_schema(
        summary="Apply for a paper invoice",
        parameters=[IDEMPOTENCY_KEY],
        request=InvoiceRequestCreateSerializer,
        responses={
            201: OpenApiResponse(InvoiceRequestDetailSerializer, description="Submitted; the request is pending."),
            200: OpenApiResponse(
                InvoiceRequestDetailSerializer, description="Idempotency-Key seen before: the first request."
            ),
            **error_responses(400, 401, 403),
        },
    ),
)
@extend_schema(tags=["Invoice requests"])
class InvoiceRequestViewSet(
    CustomerApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Invoice requests (开票申请) of the customer's account. The status changes only through actions."""

    serializer_class = InvoiceRequestSerializer

    def get_serializer_class(self):
        return InvoiceRequestSerializer if self.action == "list" else InvoiceRequestDetailSerializer

    def get_queryset(self):
        if self.is_schema_generation:
            return InvoiceRequest.objects.none()
        requests = invoice_requests_for_customer(customer_account=self.customer_account).prefetch_related(
            issued_invoices_prefetch()
        )
        if self.action != "list":
            requests = requests.prefetch_related(timeline_prefetch())
        return requests

    def list(self, request):
        params = query_filters(InvoiceRequestFilterSerializer, request.query_params)
        requests = invoice_requests_for_customer(
            customer_account=self.customer_account,
            status=params.get("status"),
            vendor_id=params.get("vendor"),
            submitted_from=params.get("submitted_from"),
            submitted_to=params.get("submitted_to"),
        ).prefetch_related(issued_invoices_prefetch())
        if not any(params.get(name) for name in ("vendor", "submitted_from", "submitted_to")):
            # Filtered by status at most: the size from the counters the database keeps, not a COUNT(*).
            count = customer_request_count(customer_account=self.customer_account, status=params.get("status"))
            requests = CountedRows(requests, count=count)
        page = self.paginate_queryset(requests)
        return self.get_paginated_response(InvoiceRequestSerializer(page, many=True).data)

    def create(self, request):
        serializer = InvoiceRequestCreateSerializer(
            data=request.data, context={"customer_account": self.customer_account}
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        invoice_request, created = invoice_request_submit(
            actor=request.user,
            customer_account=self.customer_account,
            vendor=data["vendor"],
            amount=data["amount"],
            title=data["title"],
            address=data["address"],
            invoice_type=data.get("invoice_type") or None,
            idempotency_key=request.headers.get("Idempotency-Key", ""),
        )
        if not created:  # the same Idempotency-Key again: the request as it is now
            return Response(self._detail(invoice_request.pk), status=status.HTTP_200_OK)
        # Just written by this call: serialized as the service returned it, with its timeline (the submit event); a
        # new request has no issued invoices yet. Not read again (tests/api/test_invoice_requests_api.py compares).
        setattr(invoice_request, ISSUED_INVOICES_ATTR, [])
        prefetch_related_objects([invoice_request], timeline_prefetch())
        return Response(InvoiceRequestDetailSerializer(invoice_request).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="v1_invoice_requests_cancel",
        summary="Cancel a pending request; its amount becomes invoiceable again",
        request=InvoiceRequestCancelSerializer,
        responses={200: InvoiceRequestDetailSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        invoice_request = self.get_object()
        serializer = InvoiceRequestCancelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invoice_request_cancel(
            actor=request.user,
            customer_account=self.customer_account,
            invoice_request_id=invoice_request.pk,
            reason=serializer.validated_data["reason"],
        )
        return Response(self._detail(invoice_request.pk))

    def _detail(self, request_id: int) -> dict:
        # Re-read: an InvoiceRequest's protected status cannot be refreshed in place.
        return InvoiceRequestDetailSerializer(self.get_queryset().get(pk=request_id)).data
