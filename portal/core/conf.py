"""The one way an app reads its settings: `<app>/app_settings.py` subclasses `AppSettings`.

    class DavSettings(AppSettings):
        prefix = "PORTAL_DAV_"

        @property
        def GRACE_DAYS(self) -> int:
            \"\"\"Days a deleted address's calendars are kept.\"\"\"
            return self._setting("GRACE_DAYS", 30)

    app_settings = DavSettings()

Values are read from `django.conf.settings` on every access (tests may override them); the
environment is read only in `portal/settings/*.py`. Each app validates its values with a
system check (`<app>/checks.py`), never at import.
"""

from django.conf import settings


class AppSettings:
    """Attribute access to one app's prefixed settings, each property with its default."""

    prefix = ""

    def _setting(self, name: str, default):
        return getattr(settings, self.prefix + name, default)
