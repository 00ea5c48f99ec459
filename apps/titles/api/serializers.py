from rest_framework import serializers

from ..models import InvoiceTitle
from ..services import title_warnings

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


class InvoiceTitleSavedSerializer(InvoiceTitleSerializer):
    """The title as saved, with the non-blocking warnings of `title_warnings` (e.g. a taxpayer ID used twice)."""

    warnings = serializers.SerializerMethodField(
        help_text="Notes for the user about the saved title; the title was saved anyway. Usually empty."
    )

    class Meta(InvoiceTitleSerializer.Meta):
        fields = [*TITLE_FIELDS, "warnings"]
        read_only_fields = fields

    def get_warnings(self, title: InvoiceTitle) -> list[str]:
        return [str(warning) for warning in title_warnings(title=title)]


class InvoiceTitleInputSerializer(serializers.Serializer):
    """An invoice title as sent. A company needs its taxpayer ID; an individual title is the name only."""

    # Types only: apps.titles.services checks the kind, the taxpayer ID, GBK and the lengths.

    kind = serializers.CharField(required=False, allow_blank=True, help_text="`company` (default) or `individual`.")
    name = serializers.CharField(required=False, allow_blank=True, help_text="The company's or the person's name.")
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

    # The service refuses a title without a name (a company also needs its taxpayer ID); the schema says so.
    schema_required_fields = ("name",)

    def full_replacement(self) -> dict:
        """For PUT: a field left out is emptied (the kind falls back to company), as a full replacement."""
        data = {name: "" for name in self.fields if name != "is_default"}
        data.update(self.validated_data)
        return data
