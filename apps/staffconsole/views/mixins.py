"""Who may open the staff console: marketplace staff only. Customers and vendor users get a 403 that says so;
anonymous visitors go to the login page."""

import datetime as dt

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.workdays import calendar_date


class StaffRequiredMixin(LoginRequiredMixin):
    """Pages of the staff console (/staff/)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.is_marketplace_staff:
            raise PermissionDenied(_("This page is for marketplace staff."))
        return super().dispatch(request, *args, **kwargs)


def today() -> dt.date:
    """Today in Asia/Shanghai, the calendar every mail-by date is counted in."""
    return calendar_date(timezone.now())
