from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Shapes shared by the apps (background jobs, app settings, periodic jobs) and
    project-wide commands (translations)."""

    name = "portal.core"
    label = "core"
    verbose_name = _("Portal")

    def ready(self):
        from portal.core import checks  # noqa: F401 - registers the system checks
        from portal.core.schedules import install_schedules

        install_schedules()
