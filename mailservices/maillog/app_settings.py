"""The delivery log's settings with their documented defaults (PORTAL_MAILLOG_*)."""

from django.conf import settings

from portal.core.conf import AppSettings


class MaillogSettings(AppSettings):
    prefix = "PORTAL_MAILLOG_"

    @property
    def RETENTION_DAYS(self) -> int:  # noqa: N802 - settings are upper case
        """Days a delivery stays in the log before the nightly clean-up (and the page's range)."""
        return self._setting("RETENTION_DAYS", 30)

    @property
    def FILE(self) -> str:  # noqa: N802
        """Postfix's log file `maillog_follow` reads when no --file is given."""
        return self._setting("FILE", "/var/log/mail.log")

    @property
    def TIMEZONE(self) -> str:  # noqa: N802
        """Zone of traditional syslog timestamps (they carry none); default TIME_ZONE."""
        return self._setting("TIMEZONE", "") or settings.TIME_ZONE

    @property
    def BATCH_LINES(self) -> int:  # noqa: N802
        """Lines read per database transaction by the follower (position saved with them)."""
        return self._setting("BATCH_LINES", 5000)

    @property
    def POLL_SECONDS(self) -> float:  # noqa: N802
        """How often the follower looks for new lines, a rotation or a truncation."""
        return self._setting("POLL_SECONDS", 0.5)

    @property
    def PRUNE_BATCH(self) -> int:  # noqa: N802
        """Rows deleted per statement by the clean-up (short locks on a large table)."""
        return self._setting("PRUNE_BATCH", 50_000)


app_settings = MaillogSettings()
