from drf_spectacular.utils import extend_schema
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from apps.core.errors import ApplicationError

from .base import error_responses
from .serializers import AuthTokenResponseSerializer


@extend_schema(tags=["Authentication"])
class AuthTokenObtainApi(ObtainAuthToken):
    """Exchange a username and password for the user's API token (created on first use)."""

    # Needs no authentication; without this a logged-in browser session would also need a CSRF token here.
    authentication_classes: list = []

    @extend_schema(
        request=AuthTokenSerializer,
        responses={200: AuthTokenResponseSerializer, **error_responses(400)},
        auth=[],
    )
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            problems = serializer.errors.get("non_field_errors") or []
            if problems and getattr(problems[0], "code", None) == "authorization":
                raise ApplicationError("invalid_credentials", problems[0])
            raise ValidationError(serializer.errors)
        token, _created = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key})
