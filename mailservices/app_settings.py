"""The mail services' settings (`PORTAL_MAIL_*`), each with its documented default."""

# ruff: noqa: N802 - settings are upper case, as in django.conf.settings

from portal.core.conf import AppSettings


class MailSettings(AppSettings):
    prefix = "PORTAL_MAIL_"

    @property
    def PASSWORD_ARGON2(self) -> dict:
        """Cost of the Dovecot {ARGON2ID} mail-password hashes (Dovecot's defaults)."""
        return dict(
            self._setting(
                "PASSWORD_ARGON2", {"time_cost": 3, "memory_cost": 65536, "parallelism": 1}
            )
        )


app_settings = MailSettings()
