"""The notification list (the bell opens it), opening one (marks it read), marking all read, and the language
switch that also remembers the user's language for e-mails."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView
from django.views.i18n import set_language as django_set_language

from apps.core.errors import NotFoundError
from apps.core.paging import ForgivingPaginationMixin

from .rendering import render_notification
from .selectors import notifications_for_user
from .services import notification_mark_read, notifications_mark_all_read, user_language_save


class NotificationListView(LoginRequiredMixin, ForgivingPaginationMixin, ListView):
    template_name = "notifications/notification_list.html"
    context_object_name = "notifications"
    paginate_by = 20

    def get_queryset(self):
        return notifications_for_user(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        language = translation.get_language()
        context["items"] = [(n, render_notification(n, language=language)) for n in context["notifications"]]
        return context


class NotificationOpenView(LoginRequiredMixin, View):
    """Opening a notification marks it read and goes to the page it is about."""

    def get(self, request, pk: int):
        try:
            notification = notification_mark_read(user=request.user, notification_id=pk)
        except NotFoundError as error:
            messages.error(request, str(error.message))
            return redirect("notifications:list")
        return redirect(render_notification(notification).url or "notifications:list")


class NotificationReadAllView(LoginRequiredMixin, View):
    def post(self, request):
        count = notifications_mark_all_read(user=request.user)
        if count:
            messages.success(request, _("All notifications are marked read."))
        return redirect("notifications:list")


def set_language(request):
    """Django's language switch; a signed-in user's e-mails and notifications follow the chosen language too."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.method == "POST" and request.user.is_authenticated:
        user_language_save(user=request.user, language=language)
    return response
