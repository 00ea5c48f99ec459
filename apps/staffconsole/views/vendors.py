"""Each vendor's on-time mailing rate and breach count over the last 30 or 90 days, sortable, and how many invoice
returns it agreed were its own fault (the invoice did not match or arrived damaged) in the same window."""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.views.generic import TemplateView

from apps.backoffice.views.rows import text
from apps.core.forms_rendering import PLAIN_WIDGETS
from apps.invoices.selectors import SLA_ORDERINGS, vendor_sla_figures_for_staff_page
from apps.refunds.selectors import vendor_fault_counts_for_dashboard

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


def _rate(rate: float) -> str:
    """`{% widthratio rate 1 100 %}`: the rate as a whole percentage, rounded as the tag rounds."""
    return str(round((float(rate) / 1.0) * 100))


def rows_html(figures: list[VendorRow]) -> SafeString:
    """The table's `<tr>`s (data-testid="sla-row"), written in Python: the markup and its whitespace are what the
    template's loop wrote (each cell's data-label heads it in the phones' stacked cards), the words translated
    once instead of six times for each of 50 vendors."""
    label = {
        name: escape(gettext(words))
        for name, words in {
            "vendor": "Vendor",
            "due": "Due in period",
            "late": "Late",
            "breaches": "Breaches",
            "rate": "On-time rate",
            "faults": "Returns at fault",
        }.items()
    }
    nothing_due = f'<span class="muted">{escape(gettext("nothing due"))}</span>'
    html = []
    for figure in figures:
        name = text(figure.vendor.name)
        rate = nothing_due if figure.on_time_rate is None else f"{_rate(figure.on_time_rate)}%"
        html.append(
            f'\n          <tr data-testid="sla-row" data-vendor="{name}">\n'
            f'            <td data-label="{label["vendor"]}"><div class="cell"><strong>{name}</strong>'
            f'<span class="sub">{text(figure.vendor.contact_phone)}</span></div></td>\n'
            f'            <td class="num" data-label="{label["due"]}">{text(figure.due)}</td>\n'
            f'            <td class="num" data-label="{label["late"]}">{text(figure.late)}</td>\n'
            f'            <td class="num" data-label="{label["breaches"]}"><span class="'
            f'{"danger-text" if figure.breaches else ""}" data-testid="breaches">{text(figure.breaches)}</span></td>\n'
            f'            <td class="num" data-label="{label["rate"]}" data-testid="on-time-rate">{rate}</td>\n'
            f'            <td class="num" data-label="{label["faults"]}"><span class="'
            f'{"danger-text" if figure.return_faults else ""}" data-testid="return-faults">'
            f"{text(figure.return_faults)}</span></td>\n"
            f"          </tr>\n        "
        )
    return mark_safe("".join(html))  # noqa: S308 - every variable part is escaped


class VendorSlaListView(StaffRequiredMixin, TemplateView):
    template_name = "staffconsole/vendor_sla_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = VendorSlaForm(self.request.GET)
        days, sort = form.window(), form.ordering()
        sla = vendor_sla_figures_for_staff_page(days=days, today=today(), order_by=sort)
        faults = vendor_fault_counts_for_dashboard(days=days, vendor_ids=[figure.vendor.pk for figure in sla])
        figures = [VendorRow(figure, faults.get(figure.vendor.pk, 0)) for figure in sla]
        context.update(
            days=days,
            sort=sort,
            day_choices=DAYS_CHOICES,
            figures=figures,
            rows_html=rows_html(figures),
            columns=column_sorts(sort),
            sort_form=VendorSlaForm(initial={"sort": sort}, renderer=PLAIN_WIDGETS),
        )
        return context
