"""DkimKey and ZoneRecord move here from the diagnosis app: state only, the tables (and their
rows) stay as they are (`diagnosis_dkimkey`, `diagnosis_zonerecord`)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("diagnosis", "0002_diagnosisrun_job"),
        ("mailservices", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="DkimKey",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("selector", models.CharField(max_length=63, verbose_name="Selektor")),
                        (
                            "private_key_pem",
                            models.TextField(verbose_name="Privater Schlüssel (PEM)"),
                        ),
                        (
                            "public_key",
                            models.TextField(
                                help_text="Base64 (DER), wie im DNS unter p=.",
                                verbose_name="Öffentlicher Schlüssel",
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(auto_now_add=True, verbose_name="Erstellt"),
                        ),
                        (
                            "service",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="dkim_key",
                                to="mailservices.mailservice",
                                verbose_name="E-Mail-Dienst",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "DKIM-Schlüssel",
                        "verbose_name_plural": "DKIM-Schlüssel",
                        "db_table": "diagnosis_dkimkey",
                    },
                ),
                migrations.CreateModel(
                    name="ZoneRecord",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "name",
                            models.CharField(
                                help_text="Relativ zur Domain; „@“ für die Domain selbst.",
                                max_length=253,
                                verbose_name="Name",
                            ),
                        ),
                        (
                            "type",
                            models.CharField(
                                choices=[
                                    ("A", "A"),
                                    ("AAAA", "AAAA"),
                                    ("CNAME", "CNAME"),
                                    ("MX", "MX"),
                                    ("TXT", "TXT"),
                                    ("SRV", "SRV"),
                                    ("CAA", "CAA"),
                                ],
                                max_length=6,
                                verbose_name="Typ",
                            ),
                        ),
                        (
                            "ttl",
                            models.PositiveIntegerField(default=3600, verbose_name="TTL (Sekunden)"),
                        ),
                        (
                            "value",
                            models.TextField(
                                help_text="TXT-Werte ohne Anführungszeichen.", verbose_name="Wert"
                            ),
                        ),
                        (
                            "managed",
                            models.BooleanField(
                                default=False,
                                help_text="Vom Portal für den E-Mail-Dienst angelegt.",
                                verbose_name="Für E-Mail verwaltet",
                            ),
                        ),
                        (
                            "updated_at",
                            models.DateTimeField(auto_now=True, verbose_name="Geändert"),
                        ),
                        (
                            "domain",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="zone_records",
                                to="mailservices.domain",
                                verbose_name="Domain",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "DNS-Eintrag",
                        "verbose_name_plural": "DNS-Einträge",
                        "db_table": "diagnosis_zonerecord",
                        "ordering": ["name", "type", "value"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("domain", "name", "type", "value"),
                                name="zone_record_unique",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    type__in=["A", "AAAA", "CNAME", "MX", "TXT", "SRV", "CAA"]
                                ),
                                name="zone_record_type_valid",
                            ),
                        ],
                    },
                ),
            ],
        ),
    ]
