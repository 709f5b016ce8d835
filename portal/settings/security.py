"""Account security (portal.security): headers, staff second factor and sessions, passkeys.

Content-Security-Policy and Permissions-Policy defaults live in
`portal/security/app_settings.py`; here only what a deployment changes.
"""

from portal.settings.base import env

# Try a changed policy first: browsers report violations but block nothing.
PORTAL_SECURITY_CSP_REPORT_ONLY = env.bool("PORTAL_SECURITY_CSP_REPORT_ONLY", default=False)
# A staff member's session ends this many seconds after their login (customers: SESSION_COOKIE_AGE).
PORTAL_SECURITY_STAFF_SESSION_SECONDS = env.int(
    "PORTAL_SECURITY_STAFF_SESSION_SECONDS", default=60 * 60 * 2
)

# Passkeys (WebAuthn) through allauth's MFA, beside TOTP and recovery codes: as a second
# factor, and to log in without a password ("Mit Passkey anmelden").
from portal.settings.allauth import MFA_SUPPORTED_TYPES  # noqa: E402

MFA_SUPPORTED_TYPES = [*MFA_SUPPORTED_TYPES, "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
# Only for development and tests over plain http://localhost; never in production.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = env.bool("MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN", default=False)
