from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView


class LoginForm(AuthenticationForm):
    """Django's login form with our wording (shown in the user's language)."""

    error_messages = {
        "invalid_login": _("Wrong username or password. Both are case-sensitive; please try again."),
        "inactive": _("This account is disabled. Please contact marketplace staff."),
    }


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
    """Where each role starts: customers in the console, staff in the admin, vendors in their back-office."""
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if user.is_customer:
        return redirect("console:invoiceable")
    if user.is_marketplace_staff:
        return redirect("admin:index")
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
        return context
