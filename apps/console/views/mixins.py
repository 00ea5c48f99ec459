from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import Http404
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from apps.core.errors import ApplicationError, NotFoundError


class CustomerRequiredMixin(LoginRequiredMixin):
    """Console pages are for customer users; everything they see is scoped to `self.customer_account`."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.is_customer:
            raise PermissionDenied(_("This page is for customer users."))
        return super().dispatch(request, *args, **kwargs)

    @property
    def customer_account(self):
        return self.request.user.customer_account


def add_service_errors(form: Form, error: ApplicationError) -> None:
    """Show a service's field errors next to the fields; the rest at the top of the form."""
    if isinstance(error, NotFoundError):
        raise Http404(str(error.message))
    placed = False
    for field, messages in error.fields.items():
        for message in messages:
            if field in form.fields:
                form.add_error(field, str(message))
                placed = True
    if not placed:
        form.add_error(None, str(error.message))


def object_or_404(selector, **kwargs):
    """Call a scoped selector; an object outside the actor's scope is a 404 page (no hint that it exists)."""
    try:
        return selector(**kwargs)
    except NotFoundError as error:
        raise Http404(str(error.message)) from error


def safe_next_url(request) -> str:
    """The `?next=` (or posted `next`) to return to, if it is a same-site relative path; otherwise ""."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    if not url.startswith("/") or url.startswith("//") or url.startswith("/\\"):
        return ""
    if not url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return ""
    return url
