from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer


class AuthTokenRequestSerializer(AuthTokenSerializer):
    """DRF's username and password, with the username no longer than any user's: a longer one is nobody's, and
    django-axes could not record the failed login (its column is shorter than what a client may send: a 500)."""

    username = serializers.CharField(
        label=_("Username"), write_only=True, max_length=get_user_model()._meta.get_field("username").max_length
    )


class AuthTokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send it as `Authorization: Token <key>`.")
