"""Invoice title pages (发票抬头): list, add, edit, delete, set default.

The views parse the form, call `apps.titles.services`, and show the service's messages next to the fields.
"""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from apps.core.errors import ApplicationError
from apps.titles.selectors import title_for_account, titles_for_account
from apps.titles.services import title_create, title_delete, title_set_default, title_update, title_warnings

from ..forms.titles import TitleForm
from .mixins import CustomerRequiredMixin, add_service_errors, object_or_404, safe_next_url


class TitleObjectMixin(CustomerRequiredMixin):
    def get_title(self):
        if not hasattr(self, "_title"):
            self._title = object_or_404(
                title_for_account, customer_account=self.customer_account, title_id=self.kwargs["pk"]
            )
        return self._title


class TitleListView(CustomerRequiredMixin, TemplateView):
    template_name = "console/title_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["titles"] = list(titles_for_account(customer_account=self.customer_account))
        return context


class _TitleFormView(CustomerRequiredMixin, FormView):
    form_class = TitleForm
    template_name = "console/title_form.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["next_url"] = safe_next_url(self.request)
        context["back_url"] = context["next_url"] or reverse("console:titles")
        return context

    def form_valid(self, form):
        try:
            title = self.save(form.cleaned_data)
        except ApplicationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message % {"name": title.name})
        for warning in title_warnings(title=title):
            messages.warning(self.request, warning)
        return redirect(safe_next_url(self.request) or "console:titles")


class TitleCreateView(_TitleFormView):
    def save(self, data):
        return title_create(customer_account=self.customer_account, actor=self.request.user, data=data)

    @property
    def success_message(self):
        return _("Invoice title “%(name)s” added.")


class TitleUpdateView(TitleObjectMixin, _TitleFormView):
    def get_initial(self):
        return TitleForm.initial_for(self.get_title())

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=self.get_title(), **kwargs)

    def save(self, data):
        return title_update(title=self.get_title(), actor=self.request.user, data=data)

    @property
    def success_message(self):
        return _("Invoice title “%(name)s” saved.")


class TitleDeleteView(TitleObjectMixin, TemplateView):
    """GET asks for confirmation; POST deletes. Requests already submitted keep their own copy of the title."""

    template_name = "console/title_confirm_delete.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=self.get_title(), **kwargs)

    def post(self, request, *args, **kwargs):
        title = self.get_title()
        try:
            title_delete(title=title, actor=request.user)
        except ApplicationError as error:
            messages.error(request, str(error.message))
            return redirect("console:titles")
        messages.success(request, _("Invoice title “%(name)s” deleted.") % {"name": title.name})
        return redirect("console:titles")


class TitleSetDefaultView(TitleObjectMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        title = self.get_title()
        try:
            title_set_default(title=title, actor=request.user)
        except ApplicationError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("“%(name)s” is now the default title.") % {"name": title.name})
        return redirect(safe_next_url(request) or "console:titles")
