"""The vendor's contact details and invoice types: customers see them next to their requests."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView

from apps.accounts.services import vendor_profile_update
from apps.console.views.mixins import add_service_errors
from apps.core.errors import ApplicationError

from ..forms import ProfileForm
from .mixins import VendorRequiredMixin


class VendorProfileView(VendorRequiredMixin, FormView):
    """The vendor's contact details and invoice types, edited by its own users."""

    template_name = "backoffice/profile.html"
    form_class = ProfileForm

    def get_initial(self):
        vendor = self.vendor
        return {
            "contact_phone": vendor.contact_phone,
            "contact_email": vendor.contact_email,
            "service_hours": vendor.service_hours,
            "supported_invoice_types": list(vendor.supported_invoice_types or []),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(vendor=self.vendor, **kwargs)

    def form_valid(self, form):
        try:
            vendor_profile_update(actor=self.request.user, vendor=self.vendor, data=form.cleaned_data)
        except ApplicationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Profile saved. Customers see the new contact details on their requests."))
        return redirect("backoffice:profile")
