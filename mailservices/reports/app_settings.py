"""The reports' settings with their documented defaults (PORTAL_REPORTS_*)."""

from portal.core.app_settings import app_settings as portal_settings
from portal.core.conf import AppSettings


class ReportSettings(AppSettings):
    prefix = "PORTAL_REPORTS_"

    @property
    def ADDRESSES(self) -> list[str]:  # noqa: N802 - settings are upper case
        """Where receivers send reports (rua= of DMARC, rua= of TLS-RPT); Postfix delivers mail
        for these to `manage.py reports_lmtpd`. Their domain must not be a hosted domain."""
        domain = portal_settings.PROVIDER_DOMAIN
        return list(
            self._setting("ADDRESSES", [f"dmarc-reports@{domain}", f"tlsrpt-reports@{domain}"])
        )

    @property
    def LMTP_BIND(self) -> str:  # noqa: N802
        """Where `reports_lmtpd` listens; `mailstack_config` points Postfix's transport here."""
        return self._setting("LMTP_BIND", "127.0.0.1:10027")

    @property
    def MAX_MAIL_BYTES(self) -> int:  # noqa: N802
        """Largest report mail accepted (receivers' reports are far smaller)."""
        return self._setting("MAX_MAIL_BYTES", 25 * 1024 * 1024)

    @property
    def REVERSE_DNS(self) -> bool:  # noqa: N802
        """Look up source IPs' reverse names when ingesting (off in tests: no network)."""
        return self._setting("REVERSE_DNS", True)

    @property
    def KEEP_DAYS(self) -> int:  # noqa: N802
        """Days reports stay (the dashboard shows the last 30; trends need more)."""
        return self._setting("KEEP_DAYS", 400)


app_settings = ReportSettings()
