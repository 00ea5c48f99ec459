from rest_framework import serializers

from ..models import InvoiceTitle

TITLE_FIELDS = [
    "id",
    "kind",
    "name",
    "taxpayer_id",
    "registered_address",
    "registered_phone",
    "bank_name",
    "bank_account",
    "is_default",
    "taxpayer_id_verified",
]


class InvoiceTitleSerializer(serializers.ModelSerializer):
    class Meta:
        model = InvoiceTitle
        fields = TITLE_FIELDS
        read_only_fields = TITLE_FIELDS


class InvoiceTitleInputSerializer(serializers.Serializer):
    """An invoice title as sent. A company needs its taxpayer ID; an individual title is the name only."""

    # Types only: apps.titles.services checks the kind, the taxpayer ID, GBK and the lengths.

    kind = serializers.CharField(required=False, allow_blank=True, help_text="`company` (default) or `individual`.")
    name = serializers.CharField(required=False, allow_blank=True)
    taxpayer_id = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="18-character unified social credit code (or a 15, 17 or 20-character legacy ID); companies only.",
    )
    registered_address = serializers.CharField(required=False, allow_blank=True)
    registered_phone = serializers.CharField(required=False, allow_blank=True)
    bank_name = serializers.CharField(required=False, allow_blank=True)
    bank_account = serializers.CharField(required=False, allow_blank=True)
    is_default = serializers.BooleanField(required=False, help_text="Make this the account's default title.")

    def full_replacement(self) -> dict:
        """For PUT: a field left out is emptied (the kind falls back to company), as a full replacement."""
        data = {name: "" for name in self.fields if name != "is_default"}
        data.update(self.validated_data)
        return data
