"""A form renderer that writes the plain widgets (inputs and selects) in Python.

Django renders every widget through templates: a select with 20 options is some 40 template includes. This renderer
writes the same HTML, byte for byte, for `<input>` widgets (text, date, number, e-mail, hidden, ...) and for
`<select>` with plain options; any other template (checkboxes, radios, textareas, the form layouts) is left to Django.
Use the one instance, PLAIN_WIDGETS, on a form that a busy page renders on every request (a renderer instance
builds its template engine once; a class given as `default_renderer` would be instantiated per form):

    class RecordFilterForm(forms.Form):
        default_renderer = PLAIN_WIDGETS
"""

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeData

_INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in (
        "input",
        "text",
        "checkbox",
        "date",
        "datetime",
        "time",
        "number",
        "email",
        "url",
        "password",
        "hidden",
        "search",
        "tel",
        "color",
    )
)
_SELECT_TEMPLATE = "django/forms/widgets/select.html"
_OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


def _text(value) -> str:
    """`{{ value }}`: localized, then escaped unless already safe."""
    if not isinstance(value, str):
        value = str(localize(value))
    return conditional_escape(value)


def _formatted(value) -> str:
    """`{{ value|stringformat:'s' }}`: as text, escaped unless already safe."""
    return value if isinstance(value, SafeData) else escape(str(value))


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html: ` name="value"`, a bare ` name` for True, nothing for False."""
    return "".join(
        f" {_text(name)}" if value is True else f' {_text(name)}="{_formatted(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget: dict) -> str:
    value = widget["value"]
    value = "" if value is None else f' value="{_formatted(value)}"'
    return f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{value}{_attrs(widget["attrs"])}>'


def _select(widget: dict) -> str | None:
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in group_choices:
            if option["template_name"] != _OPTION_TEMPLATE:
                return None
            parts.append(
                f'\n  <option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>'
                f"{_text(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


class PlainWidgetRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        html = None
        if template_name in _INPUT_TEMPLATES:
            html = _input(context["widget"])
        elif template_name == _SELECT_TEMPLATE:
            html = _select(context["widget"])
        if html is None:
            return super().render(template_name, context, request=request)
        return html.strip()  # as Django's renderers do


PLAIN_WIDGETS = PlainWidgetRenderer()
