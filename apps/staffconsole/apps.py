from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffConsoleConfig(AppConfig):
    """The marketplace staff's pages at /staff/: no models of its own, it calls the domain apps' services."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.staffconsole"
    verbose_name = _("Staff console")
