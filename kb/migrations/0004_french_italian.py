"""French and Italian guides; on PostgreSQL their text search configurations.

kb_french and kb_italian copy PostgreSQL's french and italian configurations and put unaccent
before the stemmer, so "numero" finds "numéro" and "perche" finds "perché". CREATE EXTENSION
unaccent needs a superuser once per database (like pg_trgm in 0002), see the README.
"""

from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations, models

CONFIGS = {"kb_french": ("french", "french_stem"), "kb_italian": ("italian", "italian_stem")}


def create_configs(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, (parent, stemmer) in CONFIGS.items():
        schema_editor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {name}")
        schema_editor.execute(f"CREATE TEXT SEARCH CONFIGURATION {name} (COPY = {parent})")
        schema_editor.execute(
            f"ALTER TEXT SEARCH CONFIGURATION {name}"
            f" ALTER MAPPING FOR hword, hword_part, word WITH unaccent, {stemmer}"
        )


def drop_configs(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in CONFIGS:
        schema_editor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("kb", "0003_search_head"),
    ]

    operations = [
        UnaccentExtension(),
        migrations.RunPython(create_configs, drop_configs),
        migrations.RemoveConstraint(
            model_name="guide",
            name="kb_guide_language",
        ),
        migrations.AddField(
            model_name="category",
            name="description_fr",
            field=models.CharField(
                blank=True, max_length=300, verbose_name="Beschreibung (Französisch)"
            ),
        ),
        migrations.AddField(
            model_name="category",
            name="description_it",
            field=models.CharField(
                blank=True, max_length=300, verbose_name="Beschreibung (Italienisch)"
            ),
        ),
        migrations.AddField(
            model_name="category",
            name="name_fr",
            field=models.CharField(blank=True, max_length=120, verbose_name="Name (Französisch)"),
        ),
        migrations.AddField(
            model_name="category",
            name="name_it",
            field=models.CharField(blank=True, max_length=120, verbose_name="Name (Italienisch)"),
        ),
        migrations.AlterField(
            model_name="guide",
            name="language",
            field=models.CharField(
                choices=[
                    ("de", "Deutsch"),
                    ("fr", "Französisch"),
                    ("it", "Italienisch"),
                    ("en", "Englisch"),
                ],
                default="de",
                max_length=2,
                verbose_name="Sprache",
            ),
        ),
        migrations.AddConstraint(
            model_name="guide",
            constraint=models.CheckConstraint(
                condition=models.Q(("language__in", ["de", "en", "fr", "it"])),
                name="kb_guide_language",
            ),
        ),
    ]
