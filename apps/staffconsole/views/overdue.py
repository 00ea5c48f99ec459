"""Overdue requests across vendors: how many working days late each is, and whom to call."""

from django.views.generic import ListView

from apps.core.paging import ForgivingPaginationMixin
from apps.invoices.selectors import overdue_invoice_requests_for_staff

from .mixins import StaffRequiredMixin, today


class OverdueRequestListView(StaffRequiredMixin, ForgivingPaginationMixin, ListView):
    """The landing page of the staff console: the most overdue first."""

    template_name = "staffconsole/overdue_list.html"
    context_object_name = "rows"
    paginate_by = 50

    def get_queryset(self):
        self.today = today()
        return overdue_invoice_requests_for_staff(today=self.today)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["today"] = self.today
        return context
