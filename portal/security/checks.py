"""System checks of the security settings (run by `manage.py check`, not at import)."""

from django.core.checks import Error, register

from portal.security.app_settings import app_settings


@register()
def security_settings_check(app_configs=None, **kwargs):
    errors = []
    csp = app_settings.CSP
    if not isinstance(csp, dict) or not all(isinstance(v, list | tuple) for v in csp.values()):
        errors.append(Error("PORTAL_SECURITY_CSP must map directives to lists", id="security.E001"))
    elif "'unsafe-inline'" in csp.get("script-src", []) or "'unsafe-eval'" in csp.get(
        "script-src", []
    ):
        errors.append(
            Error(
                "PORTAL_SECURITY_CSP script-src must not allow inline or eval", id="security.E002"
            )
        )
    return errors
