"""Who may open the back-office, and what every back-office view shares.

Vendor users see and act on the requests addressed to their own vendor. Marketplace staff see every vendor's
requests read-only: their GETs of action pages and their POSTs get 403. Customers get 403 everywhere here.
A request outside the vendor's scope is a 404 (no hint that it exists).
"""

import datetime as dt

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import Vendor
from apps.core.errors import NotFoundError
from apps.core.scope import may_change_vendor_requests, may_read_vendor_requests
from apps.core.workdays import calendar_date
from apps.invoices.models import InvoiceRequest
from apps.invoices.selectors import deadlines_for, invoice_request_for_staff, invoice_request_for_vendor


class BackofficeMixin(LoginRequiredMixin):
    """Pages vendor users and marketplace staff may open."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not may_read_vendor_requests(request.user):
            raise PermissionDenied(_("This page is for vendor users and marketplace staff."))
        return super().dispatch(request, *args, **kwargs)

    @property
    def vendor(self) -> Vendor | None:
        """The vendor whose requests this user handles; None for staff, who see every vendor."""
        return self.request.user.vendor if self.request.user.is_vendor else None

    @property
    def read_only(self) -> bool:
        return not may_change_vendor_requests(self.request.user)

    def get_invoice_request(self) -> InvoiceRequest:
        if not hasattr(self, "_invoice_request"):
            try:
                if self.vendor is not None:
                    self._invoice_request = invoice_request_for_vendor(
                        vendor=self.vendor, invoice_request_id=self.kwargs["pk"]
                    )
                else:
                    self._invoice_request = invoice_request_for_staff(invoice_request_id=self.kwargs["pk"])
            except NotFoundError as error:
                raise Http404(str(error.message)) from error
        return self._invoice_request

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["read_only"] = self.read_only
        return context


class VendorRequiredMixin(BackofficeMixin):
    """Actions and forms: only the vendor's own users. Staff look but do not touch (403)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not may_change_vendor_requests(request.user):
            raise PermissionDenied(_("This page is for vendor users: marketplace staff may look but not change."))
        return super().dispatch(request, *args, **kwargs)


def today() -> dt.date:
    """Today in Asia/Shanghai, the calendar the mail-by dates are counted in."""
    return calendar_date(timezone.now())


def with_deadlines(invoice_requests, *, on: dt.date) -> list[InvoiceRequest]:
    """Attach to each request its `deadline` and, for the templates, `days_left` (working days to the mail-by
    date, None once mailed or closed), `is_overdue` and `overdue_days`: one working-day calendar for them all."""
    invoice_requests = list(invoice_requests)
    deadlines = deadlines_for(invoice_requests, today=on)
    for invoice_request in invoice_requests:
        deadline = deadlines[invoice_request.pk]
        invoice_request.deadline = deadline
        invoice_request.days_left = deadline.days_left
        invoice_request.is_overdue = deadline.overdue
        invoice_request.overdue_days = deadline.days_late
    return invoice_requests


def with_deadline(invoice_request: InvoiceRequest, *, on: dt.date) -> InvoiceRequest:
    """`with_deadlines` for one request (the detail page)."""
    return with_deadlines([invoice_request], on=on)[0]
