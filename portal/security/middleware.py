"""Security headers on every response: Content-Security-Policy and Permissions-Policy.

Referrer-Policy comes from Django's SecurityMiddleware (SECURE_REFERRER_POLICY).
"""

from portal.security.app_settings import app_settings


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
        return response
