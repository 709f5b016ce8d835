from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagetoolsConfig(AppConfig):
    name = "messagetools"
    verbose_name = _("Nachrichten-Werkzeuge")

    def ready(self):
        from messagetools import checks  # noqa: F401 - registers the system checks
