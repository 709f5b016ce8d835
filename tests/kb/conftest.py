"""Knowledge-base fixtures: the real guides loaded into the test database, small sample trees."""

import os
import textwrap
from pathlib import Path

import pytest
from django.db import connection
from django.utils import translation

from kb.services import guides_load
from tests.conftest import IN_CI


@pytest.fixture(autouse=True)
def _keep_the_active_language():
    """Requests in English leave English active in the thread (LocaleMiddleware does not reset
    it); put the language back so later tests on this worker are not affected."""
    language = translation.get_language()
    yield
    translation.activate(language)


@pytest.fixture
def guides(db):
    """Every guide of kb/guides/, loaded as `manage.py load_guides` does."""
    return guides_load()


def postgres_or_skip():
    """Full-text relevance needs PostgreSQL. The SQLite run skips (with this reason); a run
    that was *meant* to use PostgreSQL (DATABASE_URL) but does not, fails under CI."""
    if connection.vendor == "postgresql":
        return
    if IN_CI and os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.fail("DATABASE_URL names PostgreSQL but the tests do not run on it")
    pytest.skip("needs PostgreSQL full-text search (CI's second run uses PostgreSQL)")


CATEGORIES = """
[start]
name_de = "Start"
name_en = "Start"

[hilfe]
name_de = "Hilfe"
name_en = "Help"
"""


def write_guide(base: Path, slug: str, lang: str = "de", **meta) -> Path:
    """Writes one guide file with sensible front matter; `body` and keys override."""
    body = meta.pop("body", "## Schritte\n\n1. Öffnen Sie [Produkte](/services/).\n")
    fields = {
        "title": f"Titel {slug}",
        "summary": f"Zusammenfassung {slug}",
        "category": "start",
        "tags": "[eins, zwei]",
        "related": "[]",
        "portal_pages": "[]",
        "updated": "2026-11-01",
    }
    fields.update(meta)
    head = "\n".join(f"{key}: {value}" for key, value in fields.items())
    path = base / lang / f"{slug}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\n{head}\n---\n{textwrap.dedent(body)}", encoding="utf-8")
    return path


@pytest.fixture
def guide_tree(tmp_path):
    """A small guide folder (categories + two German guides + one English one)."""
    base = tmp_path / "guides"
    base.mkdir()
    (base / "categories.toml").write_text(CATEGORIES, encoding="utf-8")
    write_guide(base, "erste", related="[zweite]", portal_pages="[mailservices:product_list]")
    write_guide(base, "zweite", category="hilfe")
    write_guide(base, "erste", lang="en", title="First", summary="First summary")
    return base
