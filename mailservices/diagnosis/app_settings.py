"""The diagnosis's settings (`PORTAL_DIAGNOSIS_*`, set in portal/settings/provider.py)."""

# ruff: noqa: N802 - settings are upper case, as in django.conf.settings

from portal.core.conf import AppSettings


class DiagnosisSettings(AppSettings):
    prefix = "PORTAL_DIAGNOSIS_"

    @property
    def NAMESERVER(self) -> str:
        """Ask only this resolver ("HOST:PORT"); empty: the system's resolvers."""
        return self._setting("NAMESERVER", "")

    @property
    def ON_CREATE(self) -> bool:
        """Diagnose a new mail service right after it is created (tests switch it off)."""
        return bool(self._setting("ON_CREATE", True))

    @property
    def MTA_STS_PORT(self) -> int:
        """HTTPS port MTA-STS policies are fetched from (RFC 8461: 443; tests use another)."""
        return int(self._setting("MTA_STS_PORT", 443))

    @property
    def SMTP_PORT(self) -> int:
        """SMTP port of MX hosts whose certificate is matched against their TLSA records
        (25; tests use another)."""
        return int(self._setting("SMTP_PORT", 25))

    @property
    def CA_FILE(self) -> str:
        """CA certificates (PEM) that policy servers are checked against; empty: the
        system's trusted CAs."""
        return self._setting("CA_FILE", "")


app_settings = DiagnosisSettings()
