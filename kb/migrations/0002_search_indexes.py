"""PostgreSQL only: pg_trgm, the GIN index of the weighted search vector, trigram indexes.

On SQLite these operations do nothing (the fallback search needs no index).
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = [
    "CREATE INDEX IF NOT EXISTS kb_guide_search_vector_gin ON kb_guide USING gin (search_vector)",
    "CREATE INDEX IF NOT EXISTS kb_guide_title_trgm ON kb_guide USING gin (title gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS kb_searchterm_word_trgm ON kb_searchterm"
    " USING gin (word gin_trgm_ops)",
]
DROP = [
    "DROP INDEX IF EXISTS kb_guide_search_vector_gin",
    "DROP INDEX IF EXISTS kb_guide_title_trgm",
    "DROP INDEX IF EXISTS kb_searchterm_word_trgm",
]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in INDEXES:
            schema_editor.execute(sql)


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in DROP:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("kb", "0001_guides")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
