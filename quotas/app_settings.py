"""The quotas app's settings (`QUOTAS_*`), each with its documented default."""

# ruff: noqa: N802 - settings are upper case, as in django.conf.settings

from django.conf import settings

from portal.core.conf import AppSettings


class QuotaSettings(AppSettings):
    """Attribute access to `QUOTAS_*` settings; a missing setting falls back to its default."""

    prefix = "QUOTAS_"

    @property
    def REDIS_URL(self) -> str:
        """Redis holding the live counters; defaults to REDIS_URL, else the local server."""
        return (
            self._setting("REDIS_URL", "")
            or getattr(settings, "REDIS_URL", "")
            or "redis://127.0.0.1:6379/0"
        )

    @property
    def KEY_PREFIX(self) -> str:
        """Prefix of every counter key, so the counters can share a Redis database."""
        return self._setting("KEY_PREFIX", "quota:")

    @property
    def WINDOW_SECONDS(self) -> int:
        """The rolling window the limits apply to (24 hours)."""
        return self._setting("WINDOW_SECONDS", 24 * 3600)

    @property
    def RESERVATION_SECONDS(self) -> int:
        """How long a recipient reserved at RCPT waits for its END-OF-MESSAGE before release."""
        return self._setting("RESERVATION_SECONDS", 600)

    @property
    def PHP_MAIL_NETWORKS(self) -> list[str]:
        """Client networks of the web-hosting servers that relay PHP mail() unauthenticated."""
        return list(self._setting("PHP_MAIL_NETWORKS", []))

    @property
    def UNKNOWN_SENDER_LIMIT(self) -> int:
        """Limit for an authenticated login the portal does not know (never unlimited)."""
        return self._setting("UNKNOWN_SENDER_LIMIT", 100)

    @property
    def LIMIT_CACHE_SECONDS(self) -> int:
        """How long the policy service keeps a resolved limit before asking the database again."""
        return self._setting("LIMIT_CACHE_SECONDS", 60)

    @property
    def REDIS_TIMEOUT_SECONDS(self) -> float:
        """Socket timeout towards Redis; past it the policy service defers (4xx)."""
        return self._setting("REDIS_TIMEOUT_SECONDS", 1.0)

    @property
    def REDIS_WAIT_REPLICAS(self) -> int:
        """Replicas that must confirm the policy service's counts before it answers (Redis
        `WAIT`; 0 = off). Set 1 with Sentinel so a failover cannot lose a count."""
        return self._setting("REDIS_WAIT_REPLICAS", 0)

    @property
    def POLICY_IDLE_TIMEOUT_SECONDS(self) -> float:
        """The policy service closes a Postfix connection silent for this long (Postfix's own
        smtpd_policy_service_timeout is 100 s, so a live smtpd reconnects long before)."""
        return self._setting("POLICY_IDLE_TIMEOUT_SECONDS", 300)

    @property
    def POLICY_MAX_CONNECTIONS(self) -> int:
        """Open connections per policy-service process; at the cap the longest idle one gives
        way to a new one (keep it below systemd's LimitNOFILE)."""
        return self._setting("POLICY_MAX_CONNECTIONS", 4000)

    @property
    def HISTORY_DAYS(self) -> int:
        """How long hourly usage stays in the database."""
        return self._setting("HISTORY_DAYS", 90)

    @property
    def ALERT_LEVELS(self) -> tuple[int, ...]:
        """Percentages of the limit at which the customer gets one email per window."""
        return tuple(self._setting("ALERT_LEVELS", (80, 100)))


app_settings = QuotaSettings()
