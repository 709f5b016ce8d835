from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailservicesConfig(AppConfig):
    name = "mailservices"
    verbose_name = _("E-Mail-Dienste")

    def ready(self):
        from mailservices import checks  # noqa: F401 - registers the system checks
