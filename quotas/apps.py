from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuotasConfig(AppConfig):
    name = "quotas"
    verbose_name = _("Versandlimits")

    def ready(self):
        from quotas import checks  # noqa: F401 - registers the system checks
