"""System checks of the mail services' settings (run by `manage.py check`, not at import)."""

from django.core.checks import Error, register

from mailservices.app_settings import app_settings

ARGON2_KEYS = {"time_cost", "memory_cost", "parallelism"}


@register()
def mail_settings(app_configs=None, **kwargs):
    cost = app_settings.PASSWORD_ARGON2
    if set(cost) != ARGON2_KEYS or not all(isinstance(v, int) and v > 0 for v in cost.values()):
        return [
            Error(
                "PORTAL_MAIL_PASSWORD_ARGON2 must give time_cost, memory_cost and parallelism "
                "as positive whole numbers.",
                id="mailservices.E001",
            )
        ]
    return []
