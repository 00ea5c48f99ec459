from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings

from apps.core.api import AuthTokenThrottle, ExpiringTokenAuthentication, error_responses, token_issue, token_revoke
from apps.core.errors import ApplicationError

from ..backends import login_locked_out_message
from .serializers import AuthTokenRequestSerializer, AuthTokenResponseSerializer


class LoginLockedOut(APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_detail = _("Too many failed logins. Please try again later.")
    default_code = "login_locked_out"

    @property
    def wait(self) -> int:
        """DRF answers it as `Retry-After` (seconds): the lockout's cool-off, the longest a client has to wait."""
        return int(settings.AXES_COOLOFF_TIME.total_seconds())


@extend_schema(tags=["Authentication"])
class AuthTokenObtainApi(ObtainAuthToken):
    """Exchange a username and password for the user's API token, or revoke the token you send.

    A token expires `TOKEN_TTL_DAYS` (default 30) days after it was issued; asking again then issues a new one.
    Wrong passwords lock the username and the client address out for a while (429 `login_locked_out`), and the
    endpoint answers a limited number of requests per minute per address (429 `throttled`).
    """

    parser_classes = api_settings.DEFAULT_PARSER_CLASSES  # DRF's view names its own; ours refuse deep JSON
    throttle_classes = [AuthTokenThrottle]
    serializer_class = AuthTokenRequestSerializer

    def get_authenticators(self):
        # POST needs none (a logged-in browser would otherwise also need a CSRF token); DELETE revokes the token
        # it is sent with.
        if getattr(self.request, "method", None) == "DELETE":
            return [ExpiringTokenAuthentication()]
        return []

    def get_permissions(self):
        return [IsAuthenticated()] if getattr(self.request, "method", None) == "DELETE" else [AllowAny()]

    def get_throttles(self):
        return super().get_throttles() if getattr(self.request, "method", None) == "POST" else []

    @extend_schema(
        request=AuthTokenRequestSerializer,
        responses={200: AuthTokenResponseSerializer, **error_responses(400, 429)},
        auth=[],
    )
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            # django-axes marks the request (the DRF one, passed to authenticate()) once it refuses the login.
            if getattr(request, "axes_locked_out", False):
                raise LoginLockedOut(login_locked_out_message())
            problems = serializer.errors.get("non_field_errors") or []
            if problems and getattr(problems[0], "code", None) == "authorization":
                raise ApplicationError("invalid_credentials", problems[0])
            raise ValidationError(serializer.errors)
        token = token_issue(user=serializer.validated_data["user"])
        return Response({"token": token.key})

    @extend_schema(
        summary="Revoke the token sent with this request",
        request=None,
        responses={
            204: OpenApiResponse(description="Revoked: the token no longer authenticates."),
            **error_responses(401),
        },
    )
    def delete(self, request, *args, **kwargs):
        token_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
