from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.api import CustomerApiMixin, error_responses

from .. import services
from ..models import InvoiceTitle
from ..selectors import titles_for_account
from .serializers import InvoiceTitleInputSerializer, InvoiceTitleSavedSerializer, InvoiceTitleSerializer


@extend_schema_view(
    list=extend_schema(
        summary="Your invoice titles, the default first",
        responses={200: InvoiceTitleSerializer(many=True), **error_responses(401, 403)},
    ),
    retrieve=extend_schema(responses={200: InvoiceTitleSerializer, **error_responses(401, 403, 404)}),
    create=extend_schema(
        summary="Add an invoice title",
        request=InvoiceTitleInputSerializer,
        responses={201: InvoiceTitleSavedSerializer, **error_responses(400, 401, 403)},
    ),
    update=extend_schema(
        summary="Replace an invoice title (fields left out are emptied)",
        request=InvoiceTitleInputSerializer,
        responses={200: InvoiceTitleSavedSerializer, **error_responses(400, 401, 403, 404)},
    ),
    partial_update=extend_schema(
        summary="Change some fields of an invoice title",
        request=InvoiceTitleInputSerializer,
        responses={200: InvoiceTitleSavedSerializer, **error_responses(400, 401, 403, 404)},
    ),
    destroy=extend_schema(
        summary="Delete an invoice title (requests keep their snapshot)",
        responses={204: None, **error_responses(401, 403, 404)},
    ),
)
@extend_schema(tags=["Invoice titles"])
class InvoiceTitleViewSet(CustomerApiMixin, viewsets.GenericViewSet):
    """Invoice titles (发票抬头) of the customer's account."""

    serializer_class = InvoiceTitleSerializer
    pagination_class = None

    def get_queryset(self):
        if self.is_schema_generation:
            return InvoiceTitle.objects.none()
        return titles_for_account(customer_account=self.customer_account)

    def list(self, request):
        return Response(InvoiceTitleSerializer(self.get_queryset(), many=True).data)

    def retrieve(self, request, pk=None):
        return Response(InvoiceTitleSerializer(self.get_object()).data)

    def create(self, request):
        serializer = InvoiceTitleInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        title = services.title_create(
            customer_account=self.customer_account, actor=request.user, data=serializer.validated_data
        )
        return Response(InvoiceTitleSavedSerializer(title).data, status=status.HTTP_201_CREATED)

    def update(self, request, pk=None, partial=False):
        title = self.get_object()
        serializer = InvoiceTitleInputSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data if partial else serializer.full_replacement()
        title = services.title_update(title=title, actor=request.user, data=data)
        return Response(InvoiceTitleSavedSerializer(title).data)

    def partial_update(self, request, pk=None):
        return self.update(request, pk=pk, partial=True)

    def destroy(self, request, pk=None):
        services.title_delete(title=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        operation_id="v1_titles_set_default",
        summary="Make this the default title",
        request=None,
        responses={200: InvoiceTitleSerializer, **error_responses(401, 403, 404)},
    )
    @action(detail=True, methods=["post"], url_path="set-default")
    def set_default(self, request, pk=None):
        title = services.title_set_default(title=self.get_object(), actor=request.user)
        return Response(InvoiceTitleSerializer(title).data)
