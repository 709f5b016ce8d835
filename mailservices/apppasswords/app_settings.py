"""The app-password settings (`PORTAL_APPPASSWORDS_*`), each with its documented default.

Both secrets default to values derived from SECRET_KEY, so a development set-up needs
nothing; `manage.py mailstack_config` writes the same values into Dovecot's configuration.
Set them explicitly (portal/settings) before ever rotating SECRET_KEY: a changed lookup
secret makes every existing app password unusable until the configuration is rewritten.
"""

# ruff: noqa: N802 - settings are upper case, as in django.conf.settings

import hashlib
import hmac

from django.conf import settings

from portal.core.app_settings import app_settings as portal_settings
from portal.core.conf import AppSettings


def _derived(purpose: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"apppasswords:{purpose}".encode(), hashlib.sha256).hexdigest()[:40]


class AppPasswordSettings(AppSettings):
    prefix = "PORTAL_APPPASSWORDS_"

    @property
    def LOOKUP_SECRET(self) -> str:
        """Salt of the lookup key Dovecot computes from a typed password (hex; in Dovecot's
        configuration and the portal's settings, never in the database)."""
        return self._setting("LOOKUP_SECRET", "") or _derived("lookup")

    @property
    def REPORT_TOKEN(self) -> str:
        """Bearer token Dovecot's auth policy sends to the report endpoint."""
        return self._setting("REPORT_TOKEN", "") or _derived("report")

    @property
    def REPORT_URL(self) -> str:
        """Where Dovecot reports successful logins (last use of an app password); reach the
        portal internally in production. "" switches the reports off."""
        default = portal_settings.BASE_URL.rstrip("/") + "/app-passwords/auth-report/"
        return self._setting("REPORT_URL", default)

    @property
    def MAX_PER_ADDRESS(self) -> int:
        """App passwords one address may have."""
        return int(self._setting("MAX_PER_ADDRESS", 30))


app_settings = AppPasswordSettings()
