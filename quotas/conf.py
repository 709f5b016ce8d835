"""The quotas app's settings, each with its documented default (read from django.conf)."""

from django.conf import settings


class QuotaSettings:
    """Attribute access to `QUOTAS_*` settings; a missing setting falls back to its default."""

    @property
    def REDIS_URL(self) -> str:
        """Redis holding the live counters; defaults to REDIS_URL, else the local server."""
        return (
            getattr(settings, "QUOTAS_REDIS_URL", "")
            or getattr(settings, "REDIS_URL", "")
            or "redis://127.0.0.1:6379/0"
        )

    @property
    def KEY_PREFIX(self) -> str:
        """Prefix of every counter key, so the counters can share a Redis database."""
        return getattr(settings, "QUOTAS_KEY_PREFIX", "quota:")

    @property
    def WINDOW_SECONDS(self) -> int:
        """The rolling window the limits apply to (SPEC §4: 24 hours)."""
        return getattr(settings, "QUOTAS_WINDOW_SECONDS", 24 * 3600)

    @property
    def RESERVATION_SECONDS(self) -> int:
        """How long a recipient reserved at RCPT waits for its END-OF-MESSAGE before release."""
        return getattr(settings, "QUOTAS_RESERVATION_SECONDS", 600)

    @property
    def PHP_MAIL_NETWORKS(self) -> list[str]:
        """Client networks of the web-hosting servers that relay PHP mail() unauthenticated."""
        return list(getattr(settings, "QUOTAS_PHP_MAIL_NETWORKS", []))

    @property
    def UNKNOWN_SENDER_LIMIT(self) -> int:
        """Limit for an authenticated login the portal does not know (never unlimited)."""
        return getattr(settings, "QUOTAS_UNKNOWN_SENDER_LIMIT", 100)

    @property
    def LIMIT_CACHE_SECONDS(self) -> int:
        """How long the policy service keeps a resolved limit before asking the database again."""
        return getattr(settings, "QUOTAS_LIMIT_CACHE_SECONDS", 60)

    @property
    def REDIS_TIMEOUT_SECONDS(self) -> float:
        """Socket timeout towards Redis; past it the policy service defers (4xx)."""
        return getattr(settings, "QUOTAS_REDIS_TIMEOUT_SECONDS", 1.0)

    @property
    def HISTORY_DAYS(self) -> int:
        """How long hourly usage stays in the database."""
        return getattr(settings, "QUOTAS_HISTORY_DAYS", 90)

    @property
    def ALERT_LEVELS(self) -> tuple[int, ...]:
        """Percentages of the limit at which the customer gets one email per window."""
        return tuple(getattr(settings, "QUOTAS_ALERT_LEVELS", (80, 100)))


quota_settings = QuotaSettings()
