from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DavConfig(AppConfig):
    """Calendars and contacts (CalDAV/CardDAV) served by Radicale, logins from the portal."""

    name = "mailservices.dav"
    label = "dav"
    verbose_name = _("Kontakte & Kalender")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from mailservices.dav import checks  # noqa: F401 - registers the system checks
