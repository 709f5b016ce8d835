"""The reports' settings with their documented defaults (PORTAL_REPORTS_*)."""

from portal.core.app_settings import app_settings as portal_settings
from portal.core.conf import AppSettings


class ReportSettings(AppSettings):
    prefix = "PORTAL_REPORTS_"

    @property
    def ADDRESSES(self) -> list[str]:  # noqa: N802 - settings are upper case
        """Where receivers send reports (rua= of DMARC, rua= of TLS-RPT); Postfix pipes mail
        for these to `manage.py report_receive`. Their domain must not be a hosted domain."""
        domain = portal_settings.PROVIDER_DOMAIN
        return list(
            self._setting("ADDRESSES", [f"dmarc-reports@{domain}", f"tlsrpt-reports@{domain}"])
        )

    @property
    def PIPE_USER(self) -> str:  # noqa: N802
        """System user Postfix runs `report_receive` as (needs the portal's .env)."""
        return self._setting("PIPE_USER", "portal")

    @property
    def PIPE_COMMAND(self) -> str:  # noqa: N802
        """The command Postfix's pipe transport runs (argv; ${recipient} is appended)."""
        return self._setting(
            "PIPE_COMMAND",
            "/usr/bin/env DJANGO_SETTINGS_MODULE=portal.settings.production "
            "/srv/portal/.venv/bin/python /srv/portal/manage.py report_receive",
        )

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
