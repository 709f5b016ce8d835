from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MaillogConfig(AppConfig):
    name = "mailservices.maillog"
    label = "maillog"
    verbose_name = _("Zustellprotokoll")

    def ready(self):
        from mailservices.maillog import checks  # noqa: F401 - registers the system checks
