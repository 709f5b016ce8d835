from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Project-wide infrastructure commands (translations)."""

    name = "portal.core"
    label = "core"
    verbose_name = _("Portal")
