"""The message tools' settings, with their defaults (override in Django settings)."""

from django.conf import settings


class AppSettings:
    @property
    def MAX_UPLOAD_BYTES(self) -> int:  # noqa: N802 - settings are upper case
        """Largest .eml accepted for a check, a bounce or a phishing report (25 MB)."""
        return getattr(settings, "MESSAGETOOLS_MAX_UPLOAD_BYTES", 25 * 1024 * 1024)

    @property
    def MAX_PASTE_CHARS(self) -> int:  # noqa: N802
        """Longest pasted message source; larger messages are uploaded as a file."""
        return getattr(settings, "MESSAGETOOLS_MAX_PASTE_CHARS", 1_000_000)

    @property
    def CHECK_KEEP_DAYS(self) -> int:  # noqa: N802
        """Days a message check (with the uploaded message) is kept before the clean-up."""
        return getattr(settings, "MESSAGETOOLS_CHECK_KEEP_DAYS", 7)

    @property
    def ABUSE_EMAIL(self) -> str:  # noqa: N802
        return settings.PORTAL_ABUSE_EMAIL

    @property
    def NCSC_REPORT_URL(self) -> str:  # noqa: N802
        return settings.PORTAL_NCSC_REPORT_URL


app_settings = AppSettings()
