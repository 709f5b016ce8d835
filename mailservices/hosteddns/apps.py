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
        post_migrate.connect(
            _ensure_sqlite_schema, sender=self, dispatch_uid="hosteddns_sqlite_schema"
        )


def _sync_defaults(sender, using="default", **kwargs):
    from mailservices.hosteddns.services import zone_defaults_sync

    zone_defaults_sync(using=using)


def _ensure_sqlite_schema(sender, using="default", **kwargs):
    """SQLite drops a table's triggers when Django rebuilds the table: put back what the
    name server needs (idempotent; only once migration 0004 made the schema)."""
    from importlib import import_module

    from django.db import connections

    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'pdns_zone_serials'"
        )
        if cursor.fetchone() is None:
            return
        schema = import_module("mailservices.hosteddns.migrations.0004_sqlite_powerdns_schema")
        schema.create_schema(cursor)
