from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "apps.core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from .models import CalendarOverride
        from .workdays import overrides_changed_receiver

        # Any write to the overrides (staff console, admin, shell) makes every process reload the working-day calendar.
        post_save.connect(overrides_changed_receiver, sender=CalendarOverride, dispatch_uid="workdays_overrides_saved")
        post_delete.connect(
            overrides_changed_receiver, sender=CalendarOverride, dispatch_uid="workdays_overrides_deleted"
        )
