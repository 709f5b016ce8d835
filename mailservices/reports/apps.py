from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "mailservices.reports"
    label = "reports"
    verbose_name = _("DMARC- und TLS-Berichte")

    def ready(self):
        from mailservices.reports import checks  # noqa: F401 - registers the system checks
