"""Dovecot's quota comes from the plan's storage size or a staff override (issue 12).

The userdb view used to serve `mailservices_address.storage_quota_mb`. Now `quota_mb` is the
newest active `mailboxes_storageoverride` of the address, else the plan's `storage_mb` from
`mailservices.plans` (frozen here; a test compares them, like UNPAID_PLANS).
"""

import importlib

from django.db import migrations

_initial = importlib.import_module("mailservices.mailstack.migrations.0001_lookup_views")

PLAN_STORAGE_MB = {
    "my_ksuite": 20480,
    "my_ksuite_plus": 51200,
    "ksuite_standard": 51200,
    "ksuite_pro": 102400,
    "ksuite_enterprise": 204800,
    "service_mail_starter": 10240,
    "service_mail": 20480,
    "web_hosting": 5120,
}
DEFAULT_STORAGE_MB = 20480

_OLD = "x.storage_quota_mb AS quota_mb"


def _quota_sql() -> str:
    plans = " ".join(f"WHEN '{plan}' THEN {mb}" for plan, mb in PLAN_STORAGE_MB.items())
    return f"""COALESCE((
                   SELECT o.quota_mb FROM mailboxes_storageoverride o
                    WHERE o.address_id = x.address_id AND o.ended_at IS NULL
                      AND o.starts_at <= CURRENT_TIMESTAMP
                      AND (o.ends_at IS NULL OR o.ends_at > CURRENT_TIMESTAMP)
                    ORDER BY o.starts_at DESC, o.id DESC LIMIT 1),
                   CASE x.plan {plans} ELSE {DEFAULT_STORAGE_MB} END) AS quota_mb"""


def _userdb(vendor: str, *, new: bool) -> str:
    body = _initial.VIEWS["mailstack_userdb"]
    assert _OLD in body
    if new:
        body = body.replace(_OLD, _quota_sql())
    return _initial._sql(vendor, body)


def _replace(schema_editor, *, new: bool):
    vendor = schema_editor.connection.vendor
    if vendor not in _initial._DIALECT:
        return
    schema_editor.execute("DROP VIEW IF EXISTS mailstack_userdb")
    schema_editor.execute(f"CREATE VIEW mailstack_userdb AS {_userdb(vendor, new=new)}")


def forwards(apps, schema_editor):
    _replace(schema_editor, new=True)


def backwards(apps, schema_editor):
    _replace(schema_editor, new=False)


class Migration(migrations.Migration):
    dependencies = [
        ("mailstack", "0001_lookup_views"),
        ("mailboxes", "0001_storage"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
