"""Mailing address pages (邮寄地址): list, add, edit, delete, set default.

The views parse the form, call `apps.addresses.services`, and show the service's messages next to the fields.
"""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from apps.addresses.selectors import address_for_account, addresses_for_account
from apps.addresses.services import address_create, address_delete, address_set_default, address_update
from apps.core.errors import ApplicationError

from ..forms.addresses import AddressForm
from .mixins import CustomerRequiredMixin, add_service_errors, object_or_404, safe_next_url


class AddressObjectMixin(CustomerRequiredMixin):
    def get_address(self):
        if not hasattr(self, "_address"):
            self._address = object_or_404(
                address_for_account, customer_account=self.customer_account, address_id=self.kwargs["pk"]
            )
        return self._address


class AddressListView(CustomerRequiredMixin, TemplateView):
    template_name = "console/address_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["addresses"] = list(addresses_for_account(customer_account=self.customer_account))
        return context


class _AddressFormView(CustomerRequiredMixin, FormView):
    form_class = AddressForm
    template_name = "console/address_form.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["next_url"] = safe_next_url(self.request)
        context["back_url"] = context["next_url"] or reverse("console:addresses")
        return context

    def form_valid(self, form):
        try:
            address = self.save(form.cleaned_data)
        except ApplicationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message % {"recipient": address.recipient})
        return redirect(safe_next_url(self.request) or "console:addresses")


class AddressCreateView(_AddressFormView):
    def save(self, data):
        return address_create(customer_account=self.customer_account, actor=self.request.user, data=data)

    @property
    def success_message(self):
        return _("Mailing address of %(recipient)s added.")


class AddressUpdateView(AddressObjectMixin, _AddressFormView):
    def get_initial(self):
        return AddressForm.initial_for(self.get_address())

    def get_context_data(self, **kwargs):
        return super().get_context_data(address=self.get_address(), **kwargs)

    def save(self, data):
        return address_update(address=self.get_address(), actor=self.request.user, data=data)

    @property
    def success_message(self):
        return _("Mailing address of %(recipient)s saved.")


class AddressDeleteView(AddressObjectMixin, TemplateView):
    """GET asks for confirmation; POST deletes. Requests already submitted keep their own copy of the address."""

    template_name = "console/address_confirm_delete.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(address=self.get_address(), **kwargs)

    def post(self, request, *args, **kwargs):
        address = self.get_address()
        try:
            address_delete(address=address, actor=request.user)
        except ApplicationError as error:
            messages.error(request, str(error.message))
            return redirect("console:addresses")
        messages.success(request, _("Mailing address of %(recipient)s deleted.") % {"recipient": address.recipient})
        return redirect("console:addresses")


class AddressSetDefaultView(AddressObjectMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        address = self.get_address()
        try:
            address_set_default(address=address, actor=request.user)
        except ApplicationError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(
                request, _("The address of %(recipient)s is now the default.") % {"recipient": address.recipient}
            )
        return redirect(safe_next_url(request) or "console:addresses")
