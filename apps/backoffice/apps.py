from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackofficeConfig(AppConfig):
    """Vendor and staff pages (the queue, accept/reject/mail, CSV import/export, profile); no models of its own."""

    name = "apps.backoffice"
    verbose_name = _("Vendor back-office")
