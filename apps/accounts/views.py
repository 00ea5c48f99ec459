from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView
from rest_framework.authtoken.models import Token

from apps.core.api import token_expires_at, token_revoke
from apps.core.error_views import is_api_request

from .backends import login_locked_out_message


class LoginForm(AuthenticationForm):
    """Django's login form with our wording (shown in the user's language)."""

    error_messages = {
        "invalid_login": _("Wrong username or password. Both are case-sensitive; please try again."),
        "inactive": _("This account is disabled. Please contact marketplace staff."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Django sets the username's max_length without its validator: a longer name reached authenticate(), and
        # django-axes failed to record it (its column is shorter than a pasted page of text: a 500).
        username = self.fields["username"]
        username.validators.append(MaxLengthValidator(username.max_length))

    def get_invalid_login_error(self):
        # django-axes marks the request once the username or the address is locked out (LoginLockoutBackend).
        if getattr(self.request, "axes_locked_out", False):
            return ValidationError(login_locked_out_message(), code="locked_out")
        return super().get_invalid_login_error()


def login_lockout_response(request, original_response=None, credentials=None):
    """settings.AXES_LOCKOUT_CALLABLE: the login page as rendered, with its lockout message, as a 429."""
    if original_response is None or is_api_request(request):
        return JsonResponse(
            {"code": "login_locked_out", "message": login_locked_out_message(), "fields": {}},
            status=429,
            json_dumps_params={"ensure_ascii": False},
        )
    original_response.status_code = 429
    return original_response


class LogoutView(auth_views.LogoutView):
    """POST only (Django's rule); the login page then says that the logout worked."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.info(request, _("You have logged out."))
        return response


def _vendor_home() -> str:
    # The vendor back-office arrives with a later issue; until it exists vendors land on their account page.
    try:
        return reverse("backoffice:queue")
    except NoReverseMatch:
        return reverse("account")


def home(request):
    """Where each role starts: customers in the console, staff in the staff console, vendors in their back-office."""
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if user.is_customer:
        return redirect("console:invoiceable")
    if user.is_marketplace_staff:
        return redirect("staffconsole:overdue")
    if user.is_vendor:
        return redirect(_vendor_home())
    return redirect("account")


class AccountView(LoginRequiredMixin, TemplateView):
    """Who am I: the user, the role, and for vendor users the contact details customers see."""

    template_name = "accounts/account.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["vendor"] = user.vendor if user.is_vendor else None
        context["customer_account"] = user.customer_account if user.is_customer else None
        token = Token.objects.filter(user=user).first()
        context["api_token"] = token
        context["api_token_expires_at"] = token_expires_at(token) if token else None
        return context


class ApiTokenRevokeView(LoginRequiredMixin, View):
    """Revoke the user's API token from the account page (a lost laptop, a script that should stop)."""

    def post(self, request):
        if token_revoke(user=request.user):
            messages.success(request, _("Your API token is revoked: it no longer works. Get a new one when needed."))
        else:
            messages.info(request, _("You have no API token to revoke."))
        return redirect("account")
