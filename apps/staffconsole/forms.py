"""Forms of the staff console: they turn text into dates and choices; k's calendar services check the rules."""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.models import CalendarOverride
from apps.invoices.selectors import SLA_ORDERINGS

MAX_RANGE_DAYS = 31
DAYS_CHOICES = (30, 90)
SCHEDULE_EXAMPLE = "2027-02-06..2027-02-12 holiday 春节\n2027-02-14 working_day 春节调休"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class CalendarOverrideForm(forms.Form):
    """One date or a range of dates declared a holiday or a working day (调休)."""

    # Translators: 日期（起）
    date = forms.DateField(label=_("Date"), widget=DateInput())
    # Translators: 至（可选）
    end_date = forms.DateField(
        label=_("Until (optional)"),
        required=False,
        widget=DateInput(),
        help_text=_("For a range, e.g. the whole Spring Festival holiday; at most 31 days."),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=CalendarOverride.Kind.choices, widget=forms.RadioSelect, initial="holiday"
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=100,
        help_text=_("What the day is, e.g. 春节 or 国庆节调休."),
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date"), cleaned.get("end_date")
        if start and end:
            if end < start:
                self.add_error("end_date", _("The end date is before the start date."))
            elif (end - start).days + 1 > MAX_RANGE_DAYS:
                self.add_error("end_date", _("A range covers at most 31 days: add longer periods in parts."))
        return cleaned

    def dates(self) -> list[dt.date]:
        start = self.cleaned_data["date"]
        end = self.cleaned_data.get("end_date") or start
        return [start + dt.timedelta(days=offset) for offset in range((end - start).days + 1)]


class CalendarOverrideEditForm(forms.Form):
    """Change one override: its date, what the date is, the note."""

    date = forms.DateField(label=_("Date"), widget=DateInput())
    kind = forms.ChoiceField(label=_("Kind"), choices=CalendarOverride.Kind.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note"), required=False, max_length=100)


class CalendarImportForm(forms.Form):
    """The State Council schedule pasted as lines: `2027-02-06..2027-02-12 holiday 春节`."""

    lines = forms.CharField(
        # Translators: 批量录入（国务院放假安排）
        label=_("Schedule lines"),
        widget=forms.Textarea(
            attrs={"rows": 6, "placeholder": "2027-02-06..2027-02-12 holiday 春节\n2027-02-14 working_day 春节调休"}
        ),
        help_text=_(
            "One line per date or range: a date or START..END, then holiday or working_day, then an optional note."
        ),
    )


SORT_LABELS = [
    ("on_time_rate", _("On-time rate, lowest first")),
    ("-on_time_rate", _("On-time rate, highest first")),
    ("-breaches", _("Breaches, most first")),
    ("breaches", _("Breaches, fewest first")),
    ("-late", _("Late, most first")),
    ("late", _("Late, fewest first")),
    ("vendor", _("Vendor name")),
]
assert {value for value, _label in SORT_LABELS} == set(SLA_ORDERINGS)


class VendorSlaForm(forms.Form):
    """The window (last 30 or 90 days) and the sort of the vendors' on-time table; bad values fall back."""

    days = forms.TypedChoiceField(choices=[(d, d) for d in DAYS_CHOICES], coerce=int, required=False)
    sort = forms.ChoiceField(label=_("Sort by"), choices=SORT_LABELS, required=False)

    def window(self) -> int:
        return (self.is_valid() and self.cleaned_data.get("days")) or 30

    def ordering(self) -> str:
        return (self.is_valid() and self.cleaned_data.get("sort")) or "on_time_rate"
