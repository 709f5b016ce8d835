from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailservicesConfig(AppConfig):
    name = "mailservices"
    verbose_name = _("E-Mail-Dienste")
