"""PlainWidgetRenderer writes the same HTML as Django's widget templates, only without them."""

import datetime as dt

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from apps.console.forms.invoices import RecordFilterForm
from apps.core.forms_rendering import PLAIN_WIDGETS, PlainWidgetRenderer


class EveryWidgetForm(forms.Form):
    name = forms.CharField(max_length=20, widget=forms.TextInput(attrs={"placeholder": 'a "quoted" <b>'}))
    amount = forms.DecimalField(required=False, widget=forms.NumberInput(attrs={"step": "0.01", "autofocus": True}))
    email = forms.EmailField(required=False, disabled=True)
    day = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date", "hidden": False}))
    secret = forms.CharField(required=False, widget=forms.HiddenInput)
    kind = forms.ChoiceField(
        choices=[("", gettext_lazy("All statuses")), ("a&b", "A & B"), ("c", mark_safe("<i>C</i>")), (3, 3)]
    )
    grouped = forms.ChoiceField(
        required=False, choices=[("x", "X"), ("Group <1>", [("y", "Y"), ("z", "Z")])], widget=forms.Select
    )
    many = forms.MultipleChoiceField(required=False, choices=[("1", "one"), ("2", "two")])
    flag = forms.BooleanField(required=False)  # a checkbox: left to Django's template
    colour = forms.ChoiceField(required=False, choices=[("r", "Red")], widget=forms.RadioSelect)
    note = forms.CharField(required=False, widget=forms.Textarea)


def _both(form_class, *args, **kwargs):
    plain = form_class(*args, renderer=PlainWidgetRenderer(), **kwargs)
    django = form_class(*args, renderer=DjangoTemplates(), **kwargs)
    return plain, django


@pytest.mark.parametrize(
    "data",
    [
        None,
        {},
        {"name": "<script>", "amount": "abc", "day": "2025-13-01", "kind": "a&b", "grouped": "z", "many": ["1", "2"]},
        {"name": "ok", "amount": "12.50", "day": "2025-01-31", "kind": "3", "secret": 'x"y', "flag": "on"},
    ],
)
def test_every_plain_widget_renders_as_djangos_templates_do(data):
    initial = {"day": dt.date(2025, 2, 1), "kind": "c", "secret": "s"}
    plain, django = _both(EveryWidgetForm, data, initial=initial)
    if data is not None:
        plain.is_valid(), django.is_valid()

    for name in plain.fields:
        assert str(plain[name]) == str(django[name]), name


@pytest.mark.parametrize(
    "data", [None, {"status": "pending", "vendor": "7", "date_from": "2025-01-01"}, {"status": "bogus", "date_to": "x"}]
)
def test_the_records_filter_renders_as_before(data):
    vendors = [type("V", (), {"pk": 7, "name": "云帆 & Co"})(), type("V", (), {"pk": 8, "name": "<b>"})()]
    plain, django = _both(RecordFilterForm, data, vendors=vendors)
    plain.filters(), django.filters()

    assert RecordFilterForm(vendors=vendors).renderer is PLAIN_WIDGETS
    for name in plain.fields:
        assert str(plain[name]) == str(django[name]), name
