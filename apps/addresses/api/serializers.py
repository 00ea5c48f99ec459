from rest_framework import serializers

from ..models import MailingAddress
from ..services import FIELDS as SERVICE_REQUIRED_FIELDS

ADDRESS_FIELDS = ["id", "recipient", "phone", "province", "city", "district", "street", "postal_code", "is_default"]


class MailingAddressSerializer(serializers.ModelSerializer):
    class Meta:
        model = MailingAddress
        fields = ADDRESS_FIELDS
        read_only_fields = ADDRESS_FIELDS


class MailingAddressInputSerializer(serializers.Serializer):
    """A mailing address as sent; every field except `is_default` is needed."""

    # Types only: apps.addresses.services checks presence, the mobile number, the postal code and GBK.

    recipient = serializers.CharField(required=False, allow_blank=True)
    phone = serializers.CharField(
        required=False, allow_blank=True, help_text="Mainland mobile number: 11 digits starting 13–19, +86 optional."
    )
    province = serializers.CharField(required=False, allow_blank=True)
    city = serializers.CharField(required=False, allow_blank=True)
    district = serializers.CharField(required=False, allow_blank=True)
    street = serializers.CharField(required=False, allow_blank=True)
    postal_code = serializers.CharField(required=False, allow_blank=True, help_text="6 digits.")
    # The service refuses any of them missing (listing all at once, in its words); the schema says they are required.
    schema_required_fields = SERVICE_REQUIRED_FIELDS
    is_default = serializers.BooleanField(required=False, help_text="Make this the account's default address.")

    def full_replacement(self) -> dict:
        """For PUT: a field left out is emptied, as a full replacement."""
        data = {name: "" for name in self.fields if name != "is_default"}
        data.update(self.validated_data)
        return data
