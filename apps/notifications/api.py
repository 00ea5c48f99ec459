"""The signed-in user's notifications: list (newest first, `?unread=true`), mark one read, mark all read."""

from django.utils import translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view, inline_serializer
from rest_framework import generics, serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api import API_AUTHENTICATION, StandardPagination, error_responses

from .models import Notification
from .rendering import render_notification
from .selectors import notifications_for_user
from .services import notification_mark_read, notifications_mark_all_read


class NotificationSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    subject = serializers.SerializerMethodField()
    text = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    invoice_request_number = serializers.CharField(source="invoice_request.number", default=None, read_only=True)
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "kind_display",
            "subject",
            "text",
            "url",
            "invoice_request",
            "invoice_request_number",
            "created_at",
            "read",
            "read_at",
        ]
        read_only_fields = fields

    def _rendered(self, notification):
        cache = self.context.setdefault("rendered", {})
        if notification.pk not in cache:
            cache[notification.pk] = render_notification(notification, language=translation.get_language())
        return cache[notification.pk]

    def get_subject(self, notification) -> str:
        return self._rendered(notification).subject

    def get_text(self, notification) -> str:
        return self._rendered(notification).text

    def get_url(self, notification) -> str:
        return self._rendered(notification).url

    def get_read(self, notification) -> bool:
        return notification.read_at is not None


class _NotificationApi(APIView):
    authentication_classes = API_AUTHENTICATION
    permission_classes = [IsAuthenticated]


@extend_schema(tags=["Notifications"])
@extend_schema_view(
    get=extend_schema(
        summary="Your notifications",
        parameters=[OpenApiParameter("unread", OpenApiTypes.BOOL, description="true: only unread ones")],
        responses={200: NotificationSerializer(many=True), **error_responses(401)},
    )
)
class NotificationListApi(generics.ListAPIView):
    """Your notifications, newest first, in the language you ask for (Accept-Language)."""

    authentication_classes = API_AUTHENTICATION
    permission_classes = [IsAuthenticated]
    serializer_class = NotificationSerializer
    pagination_class = StandardPagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        unread = self.request.query_params.get("unread", "").lower() in {"1", "true", "yes"}
        return notifications_for_user(user=self.request.user, unread=unread)


@extend_schema(tags=["Notifications"])
class NotificationReadApi(_NotificationApi):
    @extend_schema(
        summary="Mark one of your notifications read",
        request=None,
        responses={200: NotificationSerializer, **error_responses(401, 404)},
    )
    def post(self, request, pk: int):
        notification = notification_mark_read(user=request.user, notification_id=pk)
        notification = notifications_for_user(user=request.user).get(pk=notification.pk)
        return Response(NotificationSerializer(notification).data)


@extend_schema(tags=["Notifications"])
class NotificationReadAllApi(_NotificationApi):
    @extend_schema(
        summary="Mark all your notifications read",
        request=None,
        responses={200: inline_serializer("NotificationsReadAll", {"marked_read": serializers.IntegerField()})},
    )
    def post(self, request):
        return Response({"marked_read": notifications_mark_all_read(user=request.user)})
