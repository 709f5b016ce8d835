from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailboxesConfig(AppConfig):
    name = "mailservices.mailboxes"
    label = "mailboxes"
    verbose_name = _("Postfächer: Speicher und Import")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from mailservices.mailboxes import checks  # noqa: F401 (registers the checks)
