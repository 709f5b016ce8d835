from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShopConfig(AppConfig):
    name = "portal.shop"
    label = "shop"
    verbose_name = _("Shop")

    def ready(self):
        from portal.shop import checks  # noqa: F401  (registers the system checks)
