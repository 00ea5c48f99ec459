from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.api import CustomerApiMixin, error_responses

from .. import services
from ..models import MailingAddress
from ..selectors import addresses_for_account
from .serializers import MailingAddressInputSerializer, MailingAddressSerializer


@extend_schema_view(
    list=extend_schema(
        summary="Your mailing addresses, the default first",
        responses={200: MailingAddressSerializer(many=True), **error_responses(401, 403)},
    ),
    retrieve=extend_schema(responses={200: MailingAddressSerializer, **error_responses(401, 403, 404)}),
    create=extend_schema(
        summary="Add a mailing address",
        request=MailingAddressInputSerializer,
        responses={201: MailingAddressSerializer, **error_responses(400, 401, 403)},
    ),
    update=extend_schema(
        summary="Replace a mailing address (fields left out are emptied)",
        request=MailingAddressInputSerializer,
        responses={200: MailingAddressSerializer, **error_responses(400, 401, 403, 404)},
    ),
    partial_update=extend_schema(
        summary="Change some fields of a mailing address",
        request=MailingAddressInputSerializer,
        responses={200: MailingAddressSerializer, **error_responses(400, 401, 403, 404)},
    ),
    destroy=extend_schema(
        summary="Delete a mailing address (requests keep their snapshot)",
        responses={204: None, **error_responses(401, 403, 404)},
    ),
)
@extend_schema(tags=["Mailing addresses"])
class MailingAddressViewSet(CustomerApiMixin, viewsets.GenericViewSet):
    """Mailing addresses of the customer's account."""

    serializer_class = MailingAddressSerializer
    pagination_class = None

    def get_queryset(self):
        if self.is_schema_generation:
            return MailingAddress.objects.none()
        return addresses_for_account(customer_account=self.customer_account)

    def list(self, request):
        return Response(MailingAddressSerializer(self.get_queryset(), many=True).data)

    def retrieve(self, request, pk=None):
        return Response(MailingAddressSerializer(self.get_object()).data)

    def create(self, request):
        serializer = MailingAddressInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        address = services.address_create(
            customer_account=self.customer_account, actor=request.user, data=serializer.validated_data
        )
        return Response(MailingAddressSerializer(address).data, status=status.HTTP_201_CREATED)

    def update(self, request, pk=None, partial=False):
        address = self.get_object()
        serializer = MailingAddressInputSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data if partial else serializer.full_replacement()
        address = services.address_update(address=address, actor=request.user, data=data)
        return Response(MailingAddressSerializer(address).data)

    def partial_update(self, request, pk=None):
        return self.update(request, pk=pk, partial=True)

    def destroy(self, request, pk=None):
        services.address_delete(address=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        operation_id="v1_addresses_set_default",
        summary="Make this the default address",
        request=None,
        responses={200: MailingAddressSerializer, **error_responses(401, 403, 404)},
    )
    @action(detail=True, methods=["post"], url_path="set-default")
    def set_default(self, request, pk=None):
        address = services.address_set_default(address=self.get_object(), actor=request.user)
        return Response(MailingAddressSerializer(address).data)
