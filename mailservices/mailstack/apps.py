from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailstackConfig(AppConfig):
    name = "mailservices.mailstack"
    label = "mailstack"
    verbose_name = _("Mailserver-Anbindung")
