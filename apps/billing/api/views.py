from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response

from apps.core.api import API_AUTHENTICATION, CustomerApiMixin, IsStaff, error_responses

from ..selectors import invoiceable_rows
from ..services import consumption_record
from .serializers import ConsumptionRecordInputSerializer, ConsumptionRecordSerializer, InvoiceableRowSerializer


@extend_schema(tags=["Invoiceable amounts"])
class InvoiceableListApi(CustomerApiMixin, generics.GenericAPIView):
    """What the customer may still invoice with each vendor it consumed with (可开票金额), by vendor name."""

    serializer_class = InvoiceableRowSerializer
    pagination_class = None

    @extend_schema(
        responses={200: InvoiceableRowSerializer(many=True), **error_responses(401, 403)},
    )
    def get(self, request):
        rows = invoiceable_rows(customer_account=self.customer_account)
        return Response(InvoiceableRowSerializer(rows, many=True).data)


@extend_schema(tags=["Billing (staff)"])
class ConsumptionRecordCreateApi(generics.GenericAPIView):
    """Record what a customer account consumed with a vendor (marketplace staff and billing integrations)."""

    authentication_classes = API_AUTHENTICATION
    permission_classes = [IsStaff]
    serializer_class = ConsumptionRecordInputSerializer

    @extend_schema(
        request=ConsumptionRecordInputSerializer,
        responses={
            201: OpenApiResponse(ConsumptionRecordSerializer, description="Recorded."),
            200: OpenApiResponse(
                ConsumptionRecordSerializer, description="This external_id was already recorded identically."
            ),
            **error_responses(400, 401, 403),
        },
    )
    def post(self, request):
        serializer = ConsumptionRecordInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        record, created = consumption_record(**serializer.validated_data)
        return Response(
            ConsumptionRecordSerializer(record).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )
