from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo data for `make run`, the browser tests and trying the product (`manage.py seed_demo`); no models."""

    name = "apps.demo"
    verbose_name = _("Demo data")
