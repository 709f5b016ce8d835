"""The head vector (title, summary, tags) and, on PostgreSQL, its GIN index.

The vocabulary's trigram index becomes GiST: GiST answers "nearest word"
(ORDER BY word <-> 'typo' LIMIT 1) straight from the index, GIN cannot.
"""

import django.contrib.postgres.search
from django.db import migrations

SQL_FORWARD = [
    "CREATE INDEX IF NOT EXISTS kb_guide_search_head_gin ON kb_guide USING gin (search_head)",
    "DROP INDEX IF EXISTS kb_searchterm_word_trgm",
    "CREATE INDEX IF NOT EXISTS kb_searchterm_word_gist ON kb_searchterm"
    " USING gist (word gist_trgm_ops)",
]
SQL_BACKWARD = [
    "DROP INDEX IF EXISTS kb_guide_search_head_gin",
    "DROP INDEX IF EXISTS kb_searchterm_word_gist",
    "CREATE INDEX IF NOT EXISTS kb_searchterm_word_trgm ON kb_searchterm"
    " USING gin (word gin_trgm_ops)",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("kb", "0002_search_indexes")]

    operations = [
        migrations.AddField(
            model_name="guide",
            name="search_head",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(_run(SQL_FORWARD), _run(SQL_BACKWARD)),
    ]
