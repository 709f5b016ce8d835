from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "mailservices.reports"
    label = "reports"
    verbose_name = _("DMARC- und TLS-Berichte")
