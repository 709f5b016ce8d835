"""The message tools' settings (`MESSAGETOOLS_*`), each with its documented default."""

# ruff: noqa: N802 - settings are upper case, as in django.conf.settings

from portal.core.app_settings import app_settings as portal_settings
from portal.core.conf import AppSettings


class MessagetoolsSettings(AppSettings):
    prefix = "MESSAGETOOLS_"

    @property
    def MAX_UPLOAD_BYTES(self) -> int:
        """Largest .eml accepted for a check, a bounce or a phishing report (25 MB)."""
        return self._setting("MAX_UPLOAD_BYTES", 25 * 1024 * 1024)

    @property
    def MAX_PASTE_CHARS(self) -> int:
        """Longest pasted message source; larger messages are uploaded as a file."""
        return self._setting("MAX_PASTE_CHARS", 1_000_000)

    @property
    def CHECK_KEEP_DAYS(self) -> int:
        """Days a message check (with the uploaded message) is kept before the clean-up."""
        return self._setting("CHECK_KEEP_DAYS", 7)

    @property
    def ABUSE_EMAIL(self) -> str:
        """Where phishing reports go: the provider's abuse team (PORTAL_ABUSE_EMAIL)."""
        return portal_settings.ABUSE_EMAIL

    @property
    def NCSC_REPORT_URL(self) -> str:
        """The national reporting form customers are pointed to (PORTAL_NCSC_REPORT_URL)."""
        return portal_settings.NCSC_REPORT_URL


app_settings = MessagetoolsSettings()
