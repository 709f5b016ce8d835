"""The DAV app's settings (`PORTAL_DAV_*`), each with its documented default.

The environment is read only in `portal/settings/dav.py`; `checks.py` validates.
"""

# ruff: noqa: N802 - settings are upper case, as in django.conf.settings

from django.conf import settings

from portal.core.conf import AppSettings


class DavSettings(AppSettings):
    prefix = "PORTAL_DAV_"

    @property
    def PUBLIC_URL(self) -> str:
        """Where clients reach the DAV server (behind the reverse proxy), ending in "/".
        The portal's /.well-known/caldav and /.well-known/carddav redirect here."""
        url = self._setting("PUBLIC_URL", "http://127.0.0.1:5232/")
        return url if url.endswith("/") else url + "/"

    @property
    def STORAGE_DIR(self) -> str:
        """Radicale's `multifilesystem` folder (one directory per address)."""
        return str(self._setting("STORAGE_DIR", settings.BASE_DIR / "var" / "dav"))

    @property
    def MAX_UPLOAD_BYTES(self) -> int:
        """Largest request body (one event, contact or import); larger ones get 413."""
        return int(self._setting("MAX_UPLOAD_BYTES", 10 * 1024 * 1024))

    @property
    def FAILED_LOGIN_LIMITS(self) -> str:
        """Failed logins per client ("ip") and per address ("key"), allauth's notation;
        defaults to the portal login form's `login_failed` rate."""
        default = getattr(settings, "ACCOUNT_RATE_LIMITS", {}).get(
            "login_failed", "10/m/ip,5/5m/key"
        )
        return self._setting("FAILED_LOGIN_LIMITS", default)

    @property
    def FAILED_LOGIN_DELAY(self) -> float:
        """Seconds Radicale waits before answering a failed login (randomised 0.5-1.5x)."""
        return float(self._setting("FAILED_LOGIN_DELAY", 1.0))

    @property
    def VERIFY_CACHE_SECONDS(self) -> float:
        """How long a verified password is remembered per address, keyed by the stored hash
        (a changed password misses at once; 0 verifies Argon2 on every request)."""
        return float(self._setting("VERIFY_CACHE_SECONDS", 300))

    @property
    def MAX_CONNECTIONS(self) -> int:
        """Requests served at the same time (one thread and one database connection each)."""
        return int(self._setting("MAX_CONNECTIONS", 20))

    @property
    def TIMEOUT_SECONDS(self) -> float:
        """Socket timeout per client connection."""
        return float(self._setting("TIMEOUT_SECONDS", 30))

    @property
    def LOG_LEVEL(self) -> str:
        """Level of Radicale's own log (INFO logs every request)."""
        return str(self._setting("LOG_LEVEL", "WARNING")).upper()

    @property
    def DELETED_GRACE_DAYS(self) -> int:
        """Days the calendars and contacts of a deleted address are kept before removal
        (the mail grace period; re-creating the address within it brings them back)."""
        return int(self._setting("DELETED_GRACE_DAYS", 30))


app_settings = DavSettings()
