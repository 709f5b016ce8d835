"""`provisioning_dkim_signing`: the active DKIM key of every active mail service, the one
table the signer (OpenDKIM's KeyTable/SigningTable over SQL) reads. A rotation switches
the selector in the portal; the signer uses it with its next message."""

from django.db import migrations

VIEW = """
CREATE VIEW provisioning_dkim_signing AS
SELECT d.name AS domain, k.selector AS selector, k.private_key_pem AS private_key
  FROM diagnosis_dkimkey k
  JOIN mailservices_mailservice s ON s.id = k.service_id
  JOIN mailservices_domain d ON d.id = s.domain_id
 WHERE s.status = 'active'
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor in ("postgresql", "sqlite"):
        schema_editor.execute(VIEW)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor in ("postgresql", "sqlite"):
        schema_editor.execute("DROP VIEW IF EXISTS provisioning_dkim_signing")


class Migration(migrations.Migration):
    dependencies = [("provisioning", "0003_dkim_rotation")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
