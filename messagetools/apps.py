from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagetoolsConfig(AppConfig):
    name = "messagetools"
    verbose_name = _("Nachrichten-Werkzeuge")
