from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppPasswordsConfig(AppConfig):
    name = "mailservices.apppasswords"
    label = "apppasswords"
    verbose_name = _("App-Passwörter")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from mailservices.apppasswords import checks  # noqa: F401 - registers the checks
