"""The vendor back-office API: the request queue, accept, reject, mark mailed, bulk accept and the mailing CSV.

Vendor users work on the requests addressed to their own vendor; marketplace staff may read every vendor's queue
but change nothing; customers may not use any of it.
"""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import BaseParser, FormParser, MultiPartParser
from rest_framework.response import Response

from apps.core.api import API_AUTHENTICATION, IsVendor, NumericLookupMixin, error_responses
from apps.core.api.filters import query_filters
from apps.core.errors import ApplicationError
from apps.core.paging import CountedRows
from apps.core.scope import STAFF_READ_ONLY_MESSAGE, may_change_vendor_requests, may_read_vendor_requests
from apps.core.workdays import calendar_date

from ..mailing import (
    MAILING_FILE_REQUIRED_MESSAGE,
    MAILING_IMPORT_MAX_BYTES,
    MailingInfo,
    invoice_request_mail,
    mailing_csv_text,
    mailing_import_csv,
)
from ..models import VENDOR_PAYS_SHIPPING_FROM, InvoiceRequest
from ..selectors import (
    invoice_requests_for_staff,
    invoice_requests_for_vendor,
    status_counts_for_staff,
    status_counts_for_vendor,
    timeline_prefetch,
)
from ..services import invoice_request_accept, invoice_request_reject, invoice_requests_accept_bulk
from .serializers import issued_invoices_prefetch
from .vendor_serializers import (
    MailingImportReportSerializer,
    MailingImportUploadSerializer,
    VendorBulkAcceptResultSerializer,
    VendorBulkAcceptSerializer,
    VendorInvoiceRequestDetailSerializer,
    VendorInvoiceRequestFilterSerializer,
    VendorInvoiceRequestMailSerializer,
    VendorInvoiceRequestRejectSerializer,
    VendorInvoiceRequestSerializer,
)


class IsVendorOrStaffReading(permissions.BasePermission):
    """Vendor users: everything. Marketplace staff: the list and the detail only. Anyone else: nothing."""

    READ_ACTIONS = ("list", "retrieve")
    message = IsVendor.message

    def has_permission(self, request, view) -> bool:
        user = request.user
        if may_change_vendor_requests(user):
            return True
        if may_read_vendor_requests(user):
            if getattr(view, "action", None) in self.READ_ACTIONS:
                return True
            self.message = STAFF_READ_ONLY_MESSAGE
        return False


class CsvTextParser(BaseParser):
    """A CSV file sent as the raw request body (`Content-Type: text/csv`); the view decodes it."""

    media_type = "text/csv"

    def parse(self, stream, media_type=None, parser_context=None) -> bytes:
        return stream.read(MAILING_IMPORT_MAX_BYTES + 1)


@extend_schema_view(
    list=extend_schema(
        summary="The requests addressed to your company, by mail-by date",
        description="Staff see every vendor's requests.",
        parameters=[VendorInvoiceRequestFilterSerializer],
        responses={200: VendorInvoiceRequestSerializer(many=True), **error_responses(400, 401, 403, 404)},
    ),
    retrieve=extend_schema(
        summary="One request: title and address to print and post, what was mailed, and the timeline",
        responses={200: VendorInvoiceRequestDetailSerializer, **error_responses(401, 403, 404)},
    ),
)
@extend_schema(tags=["Vendor: invoice requests"])
class VendorInvoiceRequestViewSet(
    NumericLookupMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Invoice requests (开票申请) addressed to the vendor. Every change goes through the vendor services."""

    authentication_classes = API_AUTHENTICATION
    permission_classes = [IsVendorOrStaffReading]
    serializer_class = VendorInvoiceRequestSerializer

    def requests_in_scope(self, **filters):
        """The vendor user's own requests; every vendor's for marketplace staff (who only read)."""
        user = self.request.user
        if user.is_vendor:
            return invoice_requests_for_vendor(vendor=user.vendor, **filters)
        return invoice_requests_for_staff(**filters)

    def stored_count(self, params: dict) -> int | None:
        """The list's size from the counters PostgreSQL keeps per vendor and status (VendorStatusCount, the queue
        tabs' numbers) when nothing but `status` filters it: no COUNT(*) over a large vendor's 100,000 rows.
        None when another filter is set (the paginator counts the rows)."""
        if any(value not in (None, "", False) for name, value in params.items() if name != "status"):
            return None
        user = self.request.user
        counts = status_counts_for_vendor(vendor=user.vendor) if user.is_vendor else status_counts_for_staff()
        status = params.get("status")
        return counts[status] if status else sum(counts.values())

    def get_serializer_class(self):
        return VendorInvoiceRequestSerializer if self.action == "list" else VendorInvoiceRequestDetailSerializer

    def get_serializer_context(self) -> dict:
        return {**super().get_serializer_context(), "today": calendar_date(timezone.now())}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return InvoiceRequest.objects.none()
        requests = self.requests_in_scope()
        if self.action != "list":
            requests = requests.select_related("submitted_by__customer_account").prefetch_related(
                timeline_prefetch(),
                issued_invoices_prefetch(),
            )
        return requests

    def list(self, request):
        params = query_filters(VendorInvoiceRequestFilterSerializer, request.query_params)
        context = self.get_serializer_context()
        requests = self.requests_in_scope(
            status=params.get("status"),
            submitted_from=params.get("submitted_from"),
            submitted_to=params.get("submitted_to"),
            due_from=params.get("due_from"),
            due_to=params.get("due_to"),
            overdue=params.get("overdue", False),
            search=params.get("search", ""),
            today=context["today"],
        )
        count = self.stored_count(params)
        page = self.paginate_queryset(requests if count is None else CountedRows(requests, count=count))
        return self.get_paginated_response(VendorInvoiceRequestSerializer(page, many=True, context=context).data)

    def retrieve(self, request, pk=None):
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(
        operation_id="v1_vendor_invoice_requests_accept",
        summary="Accept a pending request: it becomes processing",
        request=None,
        responses={200: VendorInvoiceRequestDetailSerializer, **error_responses(401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        invoice_request = self.get_object()
        invoice_request_accept(actor=request.user, vendor=request.user.vendor, invoice_request_id=invoice_request.pk)
        return Response(self._detail(invoice_request.pk))

    @extend_schema(
        operation_id="v1_vendor_invoice_requests_reject",
        summary="Reject a pending request with a reason the customer sees; its amount becomes invoiceable again",
        request=VendorInvoiceRequestRejectSerializer,
        responses={200: VendorInvoiceRequestDetailSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        invoice_request = self.get_object()
        serializer = VendorInvoiceRequestRejectSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invoice_request_reject(
            actor=request.user,
            vendor=request.user.vendor,
            invoice_request_id=invoice_request.pk,
            reason=serializer.validated_data["reason"],
        )
        return Response(self._detail(invoice_request.pk))

    @extend_schema(
        operation_id="v1_vendor_invoice_requests_mail",
        summary="Mark a processing request mailed with invoice number(s), courier, tracking number and payer",
        description=f"{VENDOR_PAYS_SHIPPING_FROM} or more must be shipped at the vendor's cost "
        f"(`shipping_payer` = `vendor`); below {VENDOR_PAYS_SHIPPING_FROM} the vendor may send it cash on delivery "
        "(`recipient`). Anything refused changes nothing.",
        request=VendorInvoiceRequestMailSerializer,
        responses={200: VendorInvoiceRequestDetailSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def mail(self, request, pk=None):
        invoice_request = self.get_object()
        serializer = VendorInvoiceRequestMailSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        mailing = MailingInfo(
            invoice_numbers=data["invoice_numbers"],
            invoice_date=data["invoice_date"],
            courier=data["courier"],
            courier_name=data["courier_name"],
            tracking_number=data["tracking_number"],
            shipping_payer=data["shipping_payer"],
        )
        invoice_request_mail(
            actor=request.user, vendor=request.user.vendor, invoice_request_id=invoice_request.pk, mailing=mailing
        )
        return Response(self._detail(invoice_request.pk))

    @extend_schema(
        operation_id="v1_vendor_invoice_requests_bulk_accept",
        summary="Accept several pending requests; each one that cannot be accepted is reported and left alone",
        request=VendorBulkAcceptSerializer,
        responses={200: VendorBulkAcceptResultSerializer, **error_responses(400, 401, 403)},
    )
    @action(detail=False, methods=["post"], url_path="bulk-accept")
    def bulk_accept(self, request):
        serializer = VendorBulkAcceptSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        vendor = request.user.vendor
        result = invoice_requests_accept_bulk(
            actor=request.user, vendor=vendor, invoice_request_ids=serializer.validated_data["ids"]
        )
        accepted_ids = [accepted.pk for accepted in result.accepted]
        accepted = sorted(
            invoice_requests_for_vendor(vendor=vendor).filter(pk__in=accepted_ids),
            key=lambda invoice_request: accepted_ids.index(invoice_request.pk),
        )
        context = self.get_serializer_context()
        return Response(
            {
                "accepted": VendorInvoiceRequestSerializer(accepted, many=True, context=context).data,
                "failed": [{"id": request_id, "message": message} for request_id, message in result.failed],
            }
        )

    @extend_schema(
        operation_id="v1_vendor_invoice_requests_mailing_import",
        summary="Mark requests mailed from a CSV file; answers what was applied and which rows were refused",
        description="Columns: request_number, invoice_numbers, invoice_date (YYYY-MM-DD), courier (code or name, "
        "e.g. `sf` or 顺丰速运), tracking_number, shipping_payer (`vendor`/寄付 or `recipient`/到付). Good rows are "
        "applied; bad rows are listed with their line and left unchanged; a row already applied is `unchanged`, "
        "so sending the same file twice applies nothing twice. The headings may also be those of the queue's CSV "
        "export (Chinese or English); other columns are ignored and blank lines skipped. A file that cannot be used "
        "as a whole (`missing_columns`, `duplicate_columns`, `too_many_rows` above 5,000 rows, `invalid_file`) "
        "answers 400 and changes nothing; a bad cell (e.g. a NUL byte) is a row error. "
        "Send it as multipart `file` or as a `text/csv` body.",
        request={"multipart/form-data": MailingImportUploadSerializer, "text/csv": OpenApiTypes.STR},
        responses={
            200: OpenApiResponse(MailingImportReportSerializer, description="The per-row report."),
            **error_responses(400, 401, 403),
        },
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="mailing-import",
        parser_classes=[MultiPartParser, FormParser, CsvTextParser],
    )
    def mailing_import(self, request):
        if isinstance(request.data, bytes):
            raw = request.data
        else:
            upload = request.FILES.get("file")
            if upload is None:
                message = str(MAILING_FILE_REQUIRED_MESSAGE)
                raise ApplicationError("file_required", message, {"file": [message]})
            raw = upload.read(MAILING_IMPORT_MAX_BYTES + 1)
        report = mailing_import_csv(actor=request.user, vendor=request.user.vendor, text=mailing_csv_text(raw))
        return Response(
            {
                "applied": report.applied,
                "unchanged": report.unchanged,
                "errors": [
                    {"line": line, "request_number": number, "message": str(message)}
                    for line, number, message in report.errors
                ],
            }
        )

    def _detail(self, request_id: int) -> dict:
        # Re-read: an InvoiceRequest's protected status cannot be refreshed in place.
        return self.get_serializer(self.get_queryset().get(pk=request_id)).data
