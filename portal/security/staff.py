"""Staff rules: a second factor for the admin and a shorter session (read by the middleware)."""

import time

from allauth.account.authentication import get_authentication_records
from allauth.mfa.utils import is_mfa_enabled

from portal.security.app_settings import app_settings

LOGIN_AT_SESSION_KEY = "security_login_at"


def has_second_factor(user) -> bool:
    """True if the user has set up TOTP or a passkey (recovery codes alone do not count)."""
    return is_mfa_enabled(user, types=app_settings.STAFF_MFA_TYPES)


def session_used_second_factor(request) -> bool:
    """True if this session passed a second-factor step (allauth records it at login, at
    passkey login and at MFA re-authentication)."""
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


def session_started(request, user) -> None:
    """Remembers the login time; a staff session also gets the shorter cookie lifetime."""
    request.session[LOGIN_AT_SESSION_KEY] = time.time()
    if user.is_staff:
        request.session.set_expiry(app_settings.STAFF_SESSION_SECONDS)


def session_expired(request) -> bool:
    """True once a staff session is older than STAFF_SESSION_SECONDS (sessions from before
    this rule, without a login time, count as expired)."""
    started = request.session.get(LOGIN_AT_SESSION_KEY, 0)
    return time.time() - started > app_settings.STAFF_SESSION_SECONDS
