"""The working-day calendar: a year's overrides grouped by month, add (one date or a range), paste the State
Council schedule, edit, delete; and which years the package covers and which are provisional.

Every change goes through the calendar services (apps.core.services), which audit it and recompute open requests'
mail-by dates in the background once the change commits.
"""

import datetime as dt

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext
from django.views.generic import FormView, TemplateView

from apps.console.views.mixins import add_service_errors
from apps.core import services as calendar_services
from apps.core.errors import ApplicationError, NotFoundError
from apps.core.models import CalendarOverride
from apps.core.workdays import calendar_coverage

from ..forms import CalendarImportForm, CalendarOverrideEditForm, CalendarOverrideForm
from ..selectors import calendar_overrides_by_month
from .mixins import StaffRequiredMixin, today

MIN_YEAR, MAX_YEAR = 2000, 2100

# What staff are told after every change: the recompute runs in the background.
RECOMPUTE_NOTE = gettext_lazy(
    "Open requests' mail-by dates are being recomputed; each change appears on the request's timeline."
)


def _with_recompute_note(saved: str) -> str:
    # Translators: two sentences in a row; Chinese needs no space between them: {0}{1}
    return pgettext("two sentences", "{0} {1}").format(saved, RECOMPUTE_NOTE)


def _year_of(request) -> int:
    raw = request.GET.get("year") or request.POST.get("year") or ""
    if raw.isascii() and raw.isdigit() and MIN_YEAR <= int(raw) <= MAX_YEAR:
        return int(raw)
    return today().year


def calendar_url(year: int) -> str:
    return f"{reverse('staffconsole:calendar')}?year={year}"


class CalendarView(StaffRequiredMixin, FormView):
    """GET: the year's overrides and the forms. POST: add one date or a range."""

    template_name = "staffconsole/calendar.html"
    form_class = CalendarOverrideForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year = _year_of(self.request)
        coverage = calendar_coverage()
        # The years staff work on first (last year onwards); the package's earlier years fold away.
        first_recent = min(today().year - 1, year)
        context.update(
            year=year,
            previous_year=year - 1,
            next_year=year + 1,
            months=calendar_overrides_by_month(year=year),
            recent_coverage=[row for row in coverage if row.year >= first_recent],
            earlier_coverage=[row for row in coverage if row.year < first_recent],
            earlier_last_year=first_recent - 1,
            year_coverage=next((row for row in coverage if row.year == year), None)
            or calendar_coverage(years=[year])[0],
            import_form=kwargs.get("import_form") or CalendarImportForm(),
        )
        return context

    def get_initial(self):
        return {"kind": CalendarOverride.Kind.HOLIDAY}

    def form_valid(self, form):
        dates = form.dates()
        kind, note = form.cleaned_data["kind"], form.cleaned_data["note"]
        try:
            if len(dates) == 1:
                calendar_services.calendar_override_save(actor=self.request.user, date=dates[0], kind=kind, note=note)
            else:
                # A range is one schedule line: saved all or nothing, one recompute per year.
                line = f"{dates[0]:%Y-%m-%d}..{dates[-1]:%Y-%m-%d} {kind} {note}".strip()
                calendar_services.calendar_overrides_import(actor=self.request.user, lines=line)
        except ApplicationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        kind_label = CalendarOverride.Kind(form.cleaned_data["kind"]).label
        if len(dates) == 1:
            saved = _("%(date)s saved as %(kind)s.") % {"date": f"{dates[0]:%Y-%m-%d}", "kind": kind_label}
        else:
            saved = _("%(start)s to %(end)s (%(count)d days) saved as %(kind)s.") % {
                "start": f"{dates[0]:%Y-%m-%d}",
                "end": f"{dates[-1]:%Y-%m-%d}",
                "count": len(dates),
                "kind": kind_label,
            }
        messages.success(self.request, _with_recompute_note(saved))
        return redirect(calendar_url(dates[0].year))


class CalendarImportView(StaffRequiredMixin, FormView):
    """POST only: pasted schedule lines through k's import service; errors shown on the calendar page."""

    template_name = "staffconsole/calendar.html"
    form_class = CalendarImportForm
    http_method_names = ["post"]

    def form_invalid(self, form):
        return self._render_calendar(form)

    def form_valid(self, form):
        try:
            result = calendar_services.calendar_overrides_import(
                actor=self.request.user, lines=form.cleaned_data["lines"]
            )
        except ApplicationError as error:
            add_service_errors(form, error)
            return self._render_calendar(form)
        saved = ngettext(
            "%(count)d date saved from the schedule (%(unchanged)d already as given).",
            "%(count)d dates saved from the schedule (%(unchanged)d already as given).",
            result.saved,
        ) % {"count": result.saved, "unchanged": result.unchanged}
        messages.success(self.request, _with_recompute_note(saved) if result.saved else saved)
        return redirect(calendar_url(result.years[0]))

    def _render_calendar(self, form):
        view = CalendarView(request=self.request, args=self.args, kwargs=self.kwargs)
        context = view.get_context_data(form=CalendarOverrideForm(initial=view.get_initial()), import_form=form)
        return self.response_class(request=self.request, template=[CalendarView.template_name], context=context)


class _OverrideMixin(StaffRequiredMixin):
    def get_override(self) -> CalendarOverride:
        override = CalendarOverride.objects.filter(pk=self.kwargs["pk"]).first()
        if override is None:
            raise Http404(_("Not found."))
        return override


class CalendarOverrideEditView(_OverrideMixin, FormView):
    template_name = "staffconsole/calendar_override_form.html"
    form_class = CalendarOverrideEditForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.is_marketplace_staff:
            self.override = self.get_override()
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {"date": self.override.date, "kind": self.override.kind, "note": self.override.note}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["override"] = self.override
        return context

    def form_valid(self, form):
        try:
            override = calendar_services.calendar_override_update(
                actor=self.request.user,
                override_id=self.override.pk,
                date=form.cleaned_data["date"],
                kind=form.cleaned_data["kind"],
                note=form.cleaned_data["note"],
            )
        except ApplicationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        saved = _("%(date)s is now %(kind)s.") % {
            "date": f"{override.date:%Y-%m-%d}",
            "kind": override.get_kind_display(),
        }
        messages.success(self.request, _with_recompute_note(saved))
        return redirect(calendar_url(override.date.year))


class CalendarOverrideDeleteView(_OverrideMixin, TemplateView):
    """GET: confirmation with what the date becomes. POST: delete."""

    template_name = "staffconsole/calendar_override_delete.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["override"] = self.get_override()
        return context

    def post(self, request, pk: int):
        override = self.get_override()
        day: dt.date = override.date
        try:
            calendar_services.calendar_override_delete(actor=request.user, override_id=override.pk)
        except NotFoundError as error:
            raise Http404(str(error.message)) from error
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect(calendar_url(day.year))
        messages.success(
            request,
            _with_recompute_note(
                _("The override of %(date)s is deleted: the date follows the calendar again.")
                % {"date": f"{day:%Y-%m-%d}"}
            ),
        )
        return redirect(calendar_url(day.year))
