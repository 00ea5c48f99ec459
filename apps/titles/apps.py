from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TitlesConfig(AppConfig):
    name = "apps.titles"
    verbose_name = _("Invoice titles")
