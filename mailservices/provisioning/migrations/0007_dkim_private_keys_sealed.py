"""DKIM private keys sealed at rest (`provisioning.sealing`): the key columns hold Fernet
tokens, existing keys are sealed here. `provisioning_dkim_signing` no longer carries the
private key (the signer gets key files from `manage.py dkim_keys`): it names what is
signed, one row per domain and selector, with the algorithm."""

from django.db import migrations

import mailservices.provisioning.sealing

COLUMNS = [
    ("diagnosis_dkimkey", "private_key_pem"),
    ("diagnosis_dkimkey", "ed25519_private_pem"),
    ("provisioning_dkimrotation", "new_private_key_pem"),
]

VIEW = """
CREATE VIEW provisioning_dkim_signing AS
SELECT d.name AS domain, k.selector AS selector, 'rsa' AS algorithm
  FROM diagnosis_dkimkey k
  JOIN mailservices_mailservice s ON s.id = k.service_id
  JOIN mailservices_domain d ON d.id = s.domain_id
 WHERE s.status = 'active'
UNION ALL
SELECT d.name, k.selector || 'e', 'ed25519'
  FROM diagnosis_dkimkey k
  JOIN mailservices_mailservice s ON s.id = k.service_id
  JOIN mailservices_domain d ON d.id = s.domain_id
 WHERE s.status = 'active' AND k.ed25519_private_pem <> ''
"""


def _rewrite(schema_editor, change) -> None:
    with schema_editor.connection.cursor() as cursor:
        for table, column in COLUMNS:
            cursor.execute(f"SELECT id, {column} FROM {table} WHERE {column} <> ''")  # noqa: S608
            for pk, value in cursor.fetchall():
                cursor.execute(
                    f"UPDATE {table} SET {column} = %s WHERE id = %s",  # noqa: S608
                    [change(value), pk],
                )


def drop_view(apps, schema_editor):
    schema_editor.execute("DROP VIEW IF EXISTS provisioning_dkim_signing")


def seal_keys(apps, schema_editor):
    _rewrite(schema_editor, mailservices.provisioning.sealing.seal)
    if schema_editor.connection.vendor in ("postgresql", "sqlite"):
        schema_editor.execute(VIEW)


def open_keys(apps, schema_editor):
    _rewrite(schema_editor, mailservices.provisioning.sealing.unseal)
    schema_editor.execute("DROP VIEW IF EXISTS provisioning_dkim_signing")


def old_view(apps, schema_editor):
    """Backwards, after the columns are plain text again (SQLite rebuilds the table, which
    a view on it would stop)."""
    from importlib import import_module

    if schema_editor.connection.vendor in ("postgresql", "sqlite"):
        previous = import_module(
            "mailservices.provisioning.migrations.0006_dkim_signing_view_ed25519"
        )
        schema_editor.execute(previous.VIEW)


class Migration(migrations.Migration):
    dependencies = [("provisioning", "0006_dkim_signing_view_ed25519")]

    operations = [
        migrations.RunPython(drop_view, old_view, elidable=False),
        migrations.AlterField(
            model_name="dkimkey",
            name="ed25519_private_pem",
            field=mailservices.provisioning.sealing.SealedTextField(
                blank=True, verbose_name="Ed25519: privater Schlüssel (PEM)"
            ),
        ),
        migrations.AlterField(
            model_name="dkimkey",
            name="private_key_pem",
            field=mailservices.provisioning.sealing.SealedTextField(
                verbose_name="Privater Schlüssel (PEM)"
            ),
        ),
        migrations.AlterField(
            model_name="dkimrotation",
            name="new_private_key_pem",
            field=mailservices.provisioning.sealing.SealedTextField(
                verbose_name="Neuer privater Schlüssel (PEM)"
            ),
        ),
        migrations.RunPython(seal_keys, open_keys, elidable=False),
    ]
