from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiagnosisConfig(AppConfig):
    name = "mailservices.diagnosis"
    label = "diagnosis"
    verbose_name = _("Diagnose")

    def ready(self):
        from mailservices.diagnosis import system_checks  # noqa: F401 - registers them
