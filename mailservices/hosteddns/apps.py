from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class HostedDnsConfig(AppConfig):
    name = "mailservices.hosteddns"
    label = "hosteddns"
    verbose_name = _("Name-Server (gehostete Zonen)")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from mailservices.hosteddns import checks  # noqa: F401 - registers them

        # Infrastructure only: the SOA/NS facts the name server reads follow the settings.
        post_migrate.connect(_sync_defaults, sender=self, dispatch_uid="hosteddns_defaults")


def _sync_defaults(sender, using="default", **kwargs):
    from mailservices.hosteddns.services import zone_defaults_sync

    zone_defaults_sync(using=using)
