"""A NUL typed into any form field is refused in the product's words, in Chinese too (Django's own is wrong)."""

from django import forms
from django.utils import translation


class AnyForm(forms.Form):
    name = forms.CharField()


def test_a_nul_in_a_form_field_is_refused_with_our_message_in_both_languages():
    for language, expected in (("en", "Contains invisible control characters"), ("zh-hans", "不可见的控制字符")):
        with translation.override(language):
            form = AnyForm({"name": "abc\x00def"})
            assert not form.is_valid()
            assert expected in form.errors["name"][0]
