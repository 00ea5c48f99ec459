"""The vendor's own profile: the contact details and invoice types customers see in their records."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response

from apps.core.api import API_AUTHENTICATION, IsVendor, error_responses

from ..models import InvoiceType, Vendor
from ..services import vendor_profile_update

INVOICE_TYPES = ", ".join(f"`{value}`" for value in InvoiceType.values)


class VendorProfileSerializer(serializers.ModelSerializer):
    supported_invoice_types = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text=f"Invoice types you issue: {INVOICE_TYPES}."
    )
    supported_invoice_types_display = serializers.ListField(
        child=serializers.CharField(), source="supported_invoice_type_labels", read_only=True
    )

    class Meta:
        model = Vendor
        fields = [
            "id",
            "name",
            "contact_phone",
            "contact_email",
            "service_hours",
            "supported_invoice_types",
            "supported_invoice_types_display",
        ]
        read_only_fields = fields


class VendorProfileInputSerializer(serializers.Serializer):
    """Types only: `vendor_profile_update` checks the values. Fields left out keep their value."""

    contact_phone = serializers.CharField(required=False, allow_blank=True, help_text="Required to stay non-empty.")
    contact_email = serializers.CharField(required=False, allow_blank=True)
    service_hours = serializers.CharField(required=False, allow_blank=True, help_text="e.g. 工作日 09:00–18:00.")
    supported_invoice_types = serializers.ListField(
        child=serializers.CharField(), required=False, help_text=f"At least one of {INVOICE_TYPES}."
    )


@extend_schema(tags=["Vendor: profile"])
class VendorProfileApi(generics.GenericAPIView):
    """The contact phone, email, service hours and invoice types of the user's vendor (服务商)."""

    authentication_classes = API_AUTHENTICATION
    permission_classes = [IsVendor]
    serializer_class = VendorProfileSerializer
    http_method_names = ["get", "patch", "head", "options"]

    @extend_schema(
        summary="Your company's profile", responses={200: VendorProfileSerializer, **error_responses(401, 403)}
    )
    def get(self, request):
        return Response(VendorProfileSerializer(request.user.vendor).data)

    @extend_schema(
        summary="Change your company's contact details or invoice types",
        request=VendorProfileInputSerializer,
        responses={200: VendorProfileSerializer, **error_responses(400, 401, 403)},
    )
    def patch(self, request):
        serializer = VendorProfileInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        vendor = vendor_profile_update(actor=request.user, vendor=request.user.vendor, data=serializer.validated_data)
        return Response(VendorProfileSerializer(vendor).data)
