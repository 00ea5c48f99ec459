from django.apps import AppConfig
from django.core.validators import ProhibitNullCharactersValidator
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "apps.core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # Models can only be imported once the app registry is ready.
        from .models import CalendarOverride
        from .workdays import overrides_changed_receiver

        # Django's own message for a NUL typed into any form field reads "不允许是用空字符串。" in its Chinese catalog
        # (wrong, and blames an empty string). Every form field uses this validator, so say it in our words once.
        ProhibitNullCharactersValidator.message = _("Contains invisible control characters; please retype it.")
        # Any write to the overrides (staff console, admin, shell) makes every process reload the working-day calendar.
        post_save.connect(overrides_changed_receiver, sender=CalendarOverride, dispatch_uid="workdays_overrides_saved")
        post_delete.connect(
            overrides_changed_receiver, sender=CalendarOverride, dispatch_uid="workdays_overrides_deleted"
        )
        # A deleted or replaced API token is refused at once, whichever process deletes it (web, worker, shell).
        from .api.authentication import connect_token_cache_signals

        connect_token_cache_signals()
