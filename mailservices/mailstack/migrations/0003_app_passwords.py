"""App passwords (issue 19): Dovecot's second passdb and "only app passwords".

- `mailstack_app_passdb`: one row per app password and service it allows (imap, smtp,
  dav), keyed by address and lookup key (`mailservices.apppasswords.keys`), so Dovecot's
  password query finds at most one row.
- `mailstack_passdb` serves a NULL password for an address that allows only app passwords:
  Dovecot then refuses the mail password ("password not set") but still knows the user for
  a master-user login (the mail import), and the DAV server refuses it too.
"""

import importlib

from django.db import migrations

_initial = importlib.import_module("mailservices.mailstack.migrations.0001_lookup_views")

PASSDB_OLD = _initial.VIEWS["mailstack_passdb"]
PASSDB_NEW = """
        SELECT x.address AS username,
               CASE WHEN EXISTS (SELECT 1 FROM apppasswords_apppasswordsonly o
                                  WHERE o.address_id = x.address_id)
                    THEN NULL ELSE x.password_hash END AS password
          FROM mailstack_active_addresses x
         WHERE x.enabled AND x.kind = 'mailbox' AND x.password_hash <> ''
"""

_APP_ROWS = """
        SELECT x.address AS username, p.lookup_key, '{service}' AS service,
               p.password_hash AS password, p.id AS app_password_id
          FROM apppasswords_apppassword p
          JOIN mailstack_active_addresses x ON x.address_id = p.address_id
         WHERE x.enabled AND x.kind = 'mailbox' AND p.{column}
"""
APP_PASSDB = "\n        UNION ALL".join(
    _APP_ROWS.format(service=service, column=column)
    for service, column in (("imap", "allow_imap"), ("smtp", "allow_smtp"), ("dav", "allow_dav"))
)


def _create(schema_editor, name, body):
    vendor = schema_editor.connection.vendor
    schema_editor.execute(f"DROP VIEW IF EXISTS {name}")
    schema_editor.execute(f"CREATE VIEW {name} AS {_initial._sql(vendor, body)}")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor not in _initial._DIALECT:
        return
    _create(schema_editor, "mailstack_passdb", PASSDB_NEW)
    _create(schema_editor, "mailstack_app_passdb", APP_PASSDB)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor not in _initial._DIALECT:
        return
    schema_editor.execute("DROP VIEW IF EXISTS mailstack_app_passdb")
    _create(schema_editor, "mailstack_passdb", PASSDB_OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("mailstack", "0002_userdb_storage_quota"),
        ("apppasswords", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
