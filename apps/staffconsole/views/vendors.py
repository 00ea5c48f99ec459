"""Each vendor's on-time mailing rate and breach count over the last 30 or 90 days, sortable, and how many invoice
returns it agreed were its own fault (the invoice did not match or arrived damaged) in the same window."""

from django.views.generic import TemplateView

from apps.invoices.selectors import SLA_ORDERINGS, vendor_sla_figures
from apps.refunds.selectors import vendor_fault_counts

from ..forms import DAYS_CHOICES, VendorSlaForm
from .mixins import StaffRequiredMixin, today

# The table's columns in order; those in SLA_ORDERINGS sort (a click sorts ascending, a second click descending).
COLUMNS = ("vendor", "due", "late", "breaches", "on_time_rate", "return_faults")


class VendorRow:
    """A vendor's SLA figures plus `return_faults`: invoice returns it agreed were its fault in the window."""

    def __init__(self, figure, return_faults: int) -> None:
        self.figure = figure
        self.return_faults = return_faults

    def __getattr__(self, name):
        return getattr(self.figure, name)


def column_sorts(current: str) -> list[tuple[str, str | None]]:
    """[(column, the sort its header links to, None when it does not sort)]."""
    links = []
    for column in COLUMNS:
        if column not in SLA_ORDERINGS:
            links.append((column, None))
        elif current == column and f"-{column}" in SLA_ORDERINGS:
            links.append((column, f"-{column}"))
        else:
            links.append((column, column))
    return links


class VendorSlaListView(StaffRequiredMixin, TemplateView):
    template_name = "staffconsole/vendor_sla_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = VendorSlaForm(self.request.GET)
        days, sort = form.window(), form.ordering()
        faults = vendor_fault_counts(days=days)
        context.update(
            days=days,
            sort=sort,
            day_choices=DAYS_CHOICES,
            figures=[
                VendorRow(figure, faults.get(figure.vendor.pk, 0))
                for figure in vendor_sla_figures(days=days, today=today(), order_by=sort)
            ],
            columns=column_sorts(sort),
            sort_form=VendorSlaForm(initial={"sort": sort}),
        )
        return context
