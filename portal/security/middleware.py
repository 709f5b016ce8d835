"""Security headers on every response (Content-Security-Policy, Permissions-Policy) and
the staff guard of the admin (second factor, shorter sessions).

Referrer-Policy comes from Django's SecurityMiddleware (SECURE_REFERRER_POLICY).
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from portal.security import staff
from portal.security.app_settings import app_settings
from portal.security.devices import DEVICE_COOKIE, DEVICE_COOKIE_MAX_AGE


def csp_header_value(directives: dict[str, list[str]]) -> str:
    """`{"script-src": ["'self'"]}` -> `script-src 'self'` (directives joined by "; ")."""
    return "; ".join(" ".join([name, *sources]) for name, sources in directives.items())


def permissions_policy_value(features: dict[str, list[str]]) -> str:
    """`{"camera": [], "publickey-credentials-get": ["self"]}` -> `camera=(), ...=(self)`."""
    return ", ".join(f"{name}=({' '.join(allow)})" for name, allow in features.items())


class SecurityHeadersMiddleware:
    """Adds the CSP and Permissions-Policy headers unless a view set its own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        header = (
            "Content-Security-Policy-Report-Only"
            if app_settings.CSP_REPORT_ONLY
            else "Content-Security-Policy"
        )
        response.headers.setdefault(header, csp_header_value(app_settings.CSP))
        response.headers.setdefault(
            "Permissions-Policy", permissions_policy_value(app_settings.PERMISSIONS_POLICY)
        )
        new_device_id = getattr(request, "security_device_id_new", "")
        if new_device_id:  # a login from a browser without our device cookie (devices.py)
            response.set_cookie(
                DEVICE_COOKIE,
                new_device_id,
                max_age=DEVICE_COOKIE_MAX_AGE,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response


class StaffSecondFactorMiddleware:
    """The admin only for staff who logged in with a second factor, within their session time.

    Staff without TOTP or a passkey are sent to the set-up (allauth's MFA pages) first; a
    session without a second-factor step (e.g. the admin's own password form) must confirm
    one (allauth's MFA re-authentication). The admin's password-only login form is replaced
    by the portal login. A staff session ends STAFF_SESSION_SECONDS after the login.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        is_staff = user is not None and user.is_authenticated and user.is_staff
        if is_staff and staff.session_expired(request):
            logout(request)
            messages.info(request, _("Ihre Sitzung als Mitarbeiter/in ist abgelaufen."))
            return redirect_to_login(request.get_full_path(), reverse("account_login"))
        if request.path.startswith(reverse("admin:index")):
            response = self._admin_guard(request)
            if response is not None:
                return response
        return self.get_response(request)

    def _admin_guard(self, request):
        user = request.user
        if request.path == reverse("admin:login"):
            target = request.GET.get("next") or reverse("admin:index")
            return redirect_to_login(target, reverse("account_login"))
        if not user.is_authenticated or not user.is_staff:
            return None  # the admin answers with its login redirect (→ the portal login)
        if not staff.has_second_factor(user):
            messages.warning(
                request,
                _(
                    "Für die Verwaltung brauchen Sie einen zweiten Faktor. Richten Sie bitte "
                    "jetzt eine Authenticator-App oder einen Sicherheitsschlüssel (Passkey) ein."
                ),
            )
            return redirect("mfa_index")
        if not staff.session_used_second_factor(request):
            return redirect_to_login(
                request.get_full_path(), reverse("mfa_reauthenticate"), REDIRECT_FIELD_NAME
            )
        return None
