from django.apps import AppConfig
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "apps.core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # Django's own message for a NUL typed into any form field reads "不允许是用空字符串。" in its Chinese catalog
        # (wrong, and blames an empty string). Every form field uses this validator, so say it in our words once.
        ProhibitNullCharactersValidator.message = _("Contains invisible control characters; please retype it.")
