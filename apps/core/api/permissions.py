"""Who may use an endpoint: one permission per role, and the customer scope every customer endpoint shares."""

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from .authentication import API_AUTHENTICATION


class IsCustomer(permissions.BasePermission):
    message = _("Only customer accounts may use this endpoint.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_customer)


class IsVendor(permissions.BasePermission):
    message = _("Only vendor users may use this endpoint.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_vendor)


class IsStaff(permissions.BasePermission):
    message = _("Only marketplace staff may use this endpoint.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_marketplace_staff)


class NumericLookupMixin:
    """Object URLs take ASCII digits only: `/titles/abc/` is an unknown URL (a JSON 404), never a query."""

    lookup_value_regex = "[0-9]+"


class CustomerApiMixin(NumericLookupMixin):
    """Customer endpoints: token or session, customer role only, data of the user's own account."""

    authentication_classes = API_AUTHENTICATION
    permission_classes = [IsCustomer]

    @property
    def customer_account(self):
        return self.request.user.customer_account

    @property
    def is_schema_generation(self) -> bool:
        return getattr(self, "swagger_fake_view", False)
