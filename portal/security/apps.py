from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    """Account security: security headers (CSP), staff second factor, the activity log."""

    name = "portal.security"
    label = "security"
    verbose_name = _("Sicherheit")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from portal.security import (
            checks,  # noqa: F401 - registers the system checks
            receivers,  # noqa: F401 - connects the login hooks
        )
