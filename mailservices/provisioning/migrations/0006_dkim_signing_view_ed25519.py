"""`provisioning_dkim_signing` also lists the Ed25519 key (selector `<selector>e`) of the
services that chose it: the signer signs with every row of the domain."""

from django.db import migrations

VIEW = """
CREATE VIEW provisioning_dkim_signing AS
SELECT d.name AS domain, k.selector AS selector, k.private_key_pem AS private_key
  FROM diagnosis_dkimkey k
  JOIN mailservices_mailservice s ON s.id = k.service_id
  JOIN mailservices_domain d ON d.id = s.domain_id
 WHERE s.status = 'active'
UNION ALL
SELECT d.name, k.selector || 'e', k.ed25519_private_pem
  FROM diagnosis_dkimkey k
  JOIN mailservices_mailservice s ON s.id = k.service_id
  JOIN mailservices_domain d ON d.id = s.domain_id
 WHERE s.status = 'active' AND k.ed25519_private_pem <> ''
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor in ("postgresql", "sqlite"):
        schema_editor.execute("DROP VIEW IF EXISTS provisioning_dkim_signing")
        schema_editor.execute(VIEW)


def drop(apps, schema_editor):
    schema_editor.execute("DROP VIEW IF EXISTS provisioning_dkim_signing")


class Migration(migrations.Migration):
    dependencies = [("provisioning", "0005_dkim_ed25519_beside_rsa")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
