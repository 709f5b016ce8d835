"""The security app's settings (`PORTAL_SECURITY_*`), each with its documented default.

The environment is read only in `portal/settings/security.py`; `checks.py` validates.
"""

# ruff: noqa: N802 - settings are upper case, as in django.conf.settings

from portal.core.conf import AppSettings

# Our origin only: scripts (htmx, portal.js, allauth's MFA scripts) and styles are static
# files; no inline <script>, no eval. Inline style *attributes* stay allowed (progress bars
# set their width), inline <style> elements do not. Images may be data: URIs (allauth's TOTP
# QR code).
DEFAULT_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "style-src-attr": ["'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}

# Browser features the portal never uses are switched off; passkeys on our origin only.
DEFAULT_PERMISSIONS_POLICY = {
    "accelerometer": [],
    "camera": [],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "payment": [],
    "usb": [],
    "publickey-credentials-get": ["self"],
}


class SecuritySettings(AppSettings):
    prefix = "PORTAL_SECURITY_"

    @property
    def CSP(self) -> dict[str, list[str]]:
        """Content-Security-Policy directives (name -> sources) sent on every response."""
        return self._setting("CSP", DEFAULT_CSP)

    @property
    def CSP_REPORT_ONLY(self) -> bool:
        """Send the policy as Content-Security-Policy-Report-Only (to try a change first)."""
        return bool(self._setting("CSP_REPORT_ONLY", False))

    @property
    def PERMISSIONS_POLICY(self) -> dict[str, list[str]]:
        """Permissions-Policy features (name -> allowlist; empty = nobody)."""
        return self._setting("PERMISSIONS_POLICY", DEFAULT_PERMISSIONS_POLICY)

    @property
    def STAFF_SESSION_SECONDS(self) -> int:
        """A staff member's session ends this long after their login (absolute, not idle)."""
        return int(self._setting("STAFF_SESSION_SECONDS", 2 * 60 * 60))

    @property
    def STAFF_MFA_TYPES(self) -> list[str]:
        """The second factors that let staff into the admin (allauth authenticator types)."""
        return list(self._setting("STAFF_MFA_TYPES", ["totp", "webauthn"]))

    @property
    def ACTIVITY_RETENTION_DAYS(self) -> int:
        """Days the activity log is kept (12 months); older entries are pruned nightly."""
        return int(self._setting("ACTIVITY_RETENTION_DAYS", 365))

    @property
    def ACTIVITIES_PER_PAGE(self) -> int:
        """Entries per page of the "Aktivitäten" page."""
        return int(self._setting("ACTIVITIES_PER_PAGE", 50))


app_settings = SecuritySettings()
