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


app_settings = DiagnosisSettings()
