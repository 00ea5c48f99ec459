"""Staff endpoints: the working-day calendar's overrides (through k's services) and the vendors' SLA figures."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, serializers, status, viewsets
from rest_framework.response import Response

from apps.core import services as calendar_services
from apps.core.api import API_AUTHENTICATION, IsStaff, NumericLookupMixin, error_responses
from apps.core.errors import ApplicationError
from apps.core.models import CalendarOverride
from apps.invoices.selectors import SLA_ORDERINGS, vendor_sla_figures

from .forms import DAYS_CHOICES
from .selectors import calendar_overrides_of_year
from .views.mixins import today

KINDS = ", ".join(f"`{value}`" for value in CalendarOverride.Kind.values)


class CalendarOverrideSerializer(serializers.ModelSerializer):
    date = serializers.DateField(format="%Y-%m-%d")
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = CalendarOverride
        fields = ["id", "date", "kind", "kind_display", "note", "created_at", "updated_at"]
        read_only_fields = fields


class CalendarOverrideInputSerializer(serializers.Serializer):
    date = serializers.DateField(help_text="YYYY-MM-DD. Saving a date that already has an override changes it.")
    kind = serializers.ChoiceField(choices=CalendarOverride.Kind.choices, help_text=f"One of {KINDS}.")
    note = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")


class CalendarOverrideUpdateSerializer(serializers.Serializer):
    """The date stays: to move an override, delete it and create the new date."""

    kind = serializers.ChoiceField(choices=CalendarOverride.Kind.choices, required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=100)


class StaffApiMixin(NumericLookupMixin):
    authentication_classes = API_AUTHENTICATION
    permission_classes = [IsStaff]


@extend_schema_view(
    list=extend_schema(
        summary="Calendar overrides, by date",
        parameters=[OpenApiParameter("year", int, description="Only this year's overrides.")],
        responses={200: CalendarOverrideSerializer(many=True), **error_responses(400, 401, 403)},
    ),
    retrieve=extend_schema(responses={200: CalendarOverrideSerializer, **error_responses(401, 403, 404)}),
    create=extend_schema(
        summary="Declare a date a holiday or a working day (open requests' due dates are then recomputed)",
        request=CalendarOverrideInputSerializer,
        responses={201: CalendarOverrideSerializer, **error_responses(400, 401, 403)},
    ),
    update=extend_schema(
        request=CalendarOverrideUpdateSerializer,
        responses={200: CalendarOverrideSerializer, **error_responses(400, 401, 403, 404)},
    ),
    partial_update=extend_schema(
        request=CalendarOverrideUpdateSerializer,
        responses={200: CalendarOverrideSerializer, **error_responses(400, 401, 403, 404)},
    ),
    destroy=extend_schema(
        summary="Delete an override (the date follows the calendar package again)",
        responses={204: None, **error_responses(401, 403, 404)},
    ),
)
@extend_schema(tags=["Staff: working-day calendar"])
class CalendarOverrideViewSet(StaffApiMixin, viewsets.GenericViewSet):
    """Staff overrides of the working-day calendar (a date is a holiday or a make-up working day, 调休)."""

    serializer_class = CalendarOverrideSerializer

    def get_queryset(self):
        return CalendarOverride.objects.order_by("date")

    def list(self, request):
        overrides = self.get_queryset()
        raw_year = request.query_params.get("year")
        if raw_year is not None:
            if not (raw_year.isascii() and raw_year.isdigit() and 1900 <= int(raw_year) <= 2200):
                message = _("Give the year as four digits, e.g. 2027.")
                raise ApplicationError("invalid_year", message, {"year": [message]})
            overrides = calendar_overrides_of_year(year=int(raw_year))
        page = self.paginate_queryset(overrides)
        return self.get_paginated_response(CalendarOverrideSerializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return Response(CalendarOverrideSerializer(self.get_object()).data)

    def create(self, request):
        serializer = CalendarOverrideInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        override = calendar_services.calendar_override_save(actor=request.user, **serializer.validated_data)
        return Response(CalendarOverrideSerializer(override).data, status=status.HTTP_201_CREATED)

    def update(self, request, pk=None, partial=False):
        current = self.get_object()
        serializer = CalendarOverrideUpdateSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = {"kind": current.kind, "note": current.note, **serializer.validated_data}
        if not partial and "kind" not in serializer.validated_data:
            message = _("This field is required.")
            raise ApplicationError("required", message, {"kind": [message]})
        override = calendar_services.calendar_override_save(actor=request.user, date=current.date, **data)
        return Response(CalendarOverrideSerializer(override).data)

    def partial_update(self, request, pk=None):
        return self.update(request, pk=pk, partial=True)

    def destroy(self, request, pk=None):
        current = self.get_object()
        calendar_services.calendar_override_delete(actor=request.user, override_id=current.pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class VendorSlaSerializer(serializers.Serializer):
    vendor_id = serializers.IntegerField(source="vendor.pk")
    vendor_name = serializers.CharField(source="vendor.name")
    due = serializers.IntegerField(help_text="Requests whose mail-by date falls in the period.")
    on_time = serializers.IntegerField(help_text="Of those, mailed on or before the mail-by date.")
    late = serializers.IntegerField(help_text="Mailed after the mail-by date, or still open past it.")
    breaches = serializers.IntegerField(help_text="Requests the SLA sweep marked overdue in the period.")
    on_time_rate = serializers.FloatField(allow_null=True, help_text="on_time / due (0–1); null when nothing was due.")


@extend_schema(tags=["Staff: SLA"])
class VendorSlaApi(StaffApiMixin, generics.GenericAPIView):
    """Each vendor's on-time mailing rate and breach count over the last 30 or 90 days."""

    serializer_class = VendorSlaSerializer
    pagination_class = None

    @extend_schema(
        summary="Vendors' on-time rate and breaches",
        parameters=[
            OpenApiParameter("days", int, enum=list(DAYS_CHOICES), description="The period: 30 (default) or 90."),
            OpenApiParameter("sort", str, enum=list(SLA_ORDERINGS), description="`-` first: descending."),
        ],
        responses={200: VendorSlaSerializer(many=True), **error_responses(400, 401, 403)},
    )
    def get(self, request):
        days = request.query_params.get("days", "30")
        sort = request.query_params.get("sort", "on_time_rate")
        errors = {}
        if days not in {str(choice) for choice in DAYS_CHOICES}:
            errors["days"] = [_("Choose 30 or 90.")]
        if sort not in SLA_ORDERINGS:
            errors["sort"] = [_("Choose one of %(choices)s.") % {"choices": ", ".join(SLA_ORDERINGS)}]
        if errors:
            raise ApplicationError("invalid_query", _("Correct the query parameters."), errors)
        figures = vendor_sla_figures(days=int(days), today=today(), order_by=sort)
        return Response(VendorSlaSerializer(figures, many=True).data)
