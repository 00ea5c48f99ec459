"""Forms of the staff console: they turn text into dates and choices; k's calendar services check the rules."""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.models import CalendarOverride
from apps.invoices.selectors import SLA_ORDERINGS
from apps.refunds.files import ALLOWED_TYPES_HELP

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


# --- support tickets and withdrawals (views/tickets.py, views/withdrawals.py) ----------------------------------------

TICKET_STATUS_ACTIVE = "active"  # open or waiting for the customer: what staff work on
TICKET_STATUSES = ("active", "open", "waiting", "resolved", "all")
TICKET_AGE_CHOICES = (
    ("", _("Any age")),
    # Translators: 超过 1 天
    ("1", _("Older than 1 day")),
    ("3", _("Older than 3 days")),
    ("7", _("Older than 7 days")),
)
TICKET_ASSIGNEE_CHOICES = (
    ("", _("Anyone")),
    # Translators: 分配给我
    ("me", _("Assigned to me")),
    # Translators: 未分配
    ("none", _("Not assigned")),
)


class TicketFilterForm(forms.Form):
    """The tickets queue's filter bar (GET); anything unknown falls back to the default."""

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=(
            # Translators: 处理中（待处理与待客户回复）
            ("active", _("Open or waiting")),
            ("open", _("Open")),
            ("waiting", _("Waiting for the customer")),
            ("resolved", _("Resolved")),
            ("all", _("All")),
        ),
    )
    vendor = forms.ModelChoiceField(label=_("Vendor"), required=False, queryset=None, empty_label=_("All vendors"))
    age = forms.ChoiceField(label=_("Age"), required=False, choices=TICKET_AGE_CHOICES)
    assignee = forms.ChoiceField(label=_("Assignee"), required=False, choices=TICKET_ASSIGNEE_CHOICES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from apps.accounts.models import Vendor

        self.fields["vendor"].queryset = Vendor.objects.order_by("name")

    def filters(self) -> dict:
        """Keyword arguments for tickets_for_staff."""
        data = self.cleaned_data if self.is_valid() else {}
        status = data.get("status") or TICKET_STATUS_ACTIVE
        age = data.get("age") or ""
        return {
            "status": None if status == "all" else status,
            "vendor": data.get("vendor"),
            "older_than_days": int(age) if age else None,
            "assignee": data.get("assignee") or None,  # "me" needs tickets_for_staff's `user`
        }


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; the ticket service checks type (by content), size and count."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,.pdf"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class TicketReplyForm(forms.Form):
    body = forms.CharField(
        # Translators: 回复
        label=_("Reply"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The customer sees your reply on the ticket and is notified."),
    )
    files = MultipleFileField(
        # Translators: 附件
        label=_("Attachments"),
        required=False,
        help_text=ALLOWED_TYPES_HELP,
    )


class TicketVoidForm(forms.Form):
    reason = forms.CharField(
        # Translators: 作废原因
        label=_("Reason for voiding"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The customer and the vendor see it on the request's timeline, with this ticket's number."),
    )


WITHDRAWAL_STATUSES = ("requested", "paid", "rejected", "all")


class WithdrawalRejectForm(forms.Form):
    reason = forms.CharField(
        # Translators: 驳回原因
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The customer sees it; the amount goes back to their refund balance."),
    )
