"""Reading guide files: `kb/guides/<lang>/<slug>.md` with YAML front matter.

Front matter keys: title, summary, category, tags (list), related (list of slugs),
portal_pages (list of URL names such as "mailservices:product_list"), updated (YYYY-MM-DD),
priority (optional int). `categories.toml` beside the language folders names the categories.
"""

import datetime
import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import frontmatter
import yaml

from kb.models import Language

GUIDES_DIR = Path(__file__).resolve().parent / "guides"
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
VIEW_NAME_RE = re.compile(r"^[a-z_]+(?::[a-z_]+)*$")
REQUIRED = ("title", "summary", "category", "updated")


class GuideSourceError(ValueError):
    """A guide file or the category file is not valid; the message names file and problem."""


@dataclass
class CategorySource:
    slug: str
    name_de: str
    name_en: str
    name_fr: str = ""
    name_it: str = ""
    description_de: str = ""
    description_en: str = ""
    description_fr: str = ""
    description_it: str = ""
    position: int = 100


@dataclass
class GuideSource:
    path: str
    slug: str
    language: str
    title: str
    summary: str
    category: str
    body: str
    updated: datetime.date
    source_hash: str
    tags: list[str] = field(default_factory=list)
    related: list[str] = field(default_factory=list)
    portal_pages: list[str] = field(default_factory=list)
    priority: int = 0


def read_categories(base: Path = GUIDES_DIR) -> list[CategorySource]:
    path = base / "categories.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise GuideSourceError(f"{path}: {exc}") from exc
    categories = []
    for position, (slug, values) in enumerate(data.items(), start=1):
        if not SLUG_RE.match(slug) or not isinstance(values, dict):
            raise GuideSourceError(f"{path}: ungültige Kategorie {slug!r}")
        try:
            categories.append(CategorySource(slug=slug, position=position * 10, **values))
        except TypeError as exc:
            raise GuideSourceError(f"{path}: Kategorie {slug!r}: {exc}") from exc
    return categories


def _string_list(value, key: str, where: str) -> list[str]:
    if value is None:
        return []
    # YAML reads `554` as a number; a tag like that is still meant as text.
    if not isinstance(value, list) or not all(
        isinstance(v, str | int | float) and not isinstance(v, bool) and str(v).strip()
        for v in value
    ):
        raise GuideSourceError(f"{where}: {key} muss eine Liste von Texten sein")
    return [str(v).strip() for v in value]


def read_guide(path: Path, language: str) -> GuideSource:
    where = str(path)
    raw = path.read_bytes()
    try:
        post = frontmatter.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise GuideSourceError(f"{where}: Kopfzeilen nicht lesbar: {exc}") from exc
    meta = post.metadata
    missing = [key for key in REQUIRED if not meta.get(key)]
    if missing:
        raise GuideSourceError(f"{where}: es fehlt {', '.join(missing)}")
    slug = path.stem
    if not SLUG_RE.match(slug):
        raise GuideSourceError(f"{where}: Dateiname ist kein gültiges Kürzel")
    updated = meta["updated"]
    if isinstance(updated, str):
        try:
            updated = datetime.date.fromisoformat(updated)
        except ValueError as exc:
            raise GuideSourceError(f"{where}: updated ist kein Datum (JJJJ-MM-TT)") from exc
    if not isinstance(updated, datetime.date):
        raise GuideSourceError(f"{where}: updated ist kein Datum (JJJJ-MM-TT)")
    pages = _string_list(meta.get("portal_pages"), "portal_pages", where)
    bad_pages = [p for p in pages if not VIEW_NAME_RE.match(p)]
    if bad_pages:
        raise GuideSourceError(f"{where}: portal_pages sind keine URL-Namen: {bad_pages}")
    priority = meta.get("priority", 0)
    if not isinstance(priority, int):
        raise GuideSourceError(f"{where}: priority muss eine ganze Zahl sein")
    if not post.content.strip():
        raise GuideSourceError(f"{where}: der Text fehlt")
    return GuideSource(
        path=str(path),
        slug=slug,
        language=language,
        title=str(meta["title"]).strip(),
        summary=str(meta["summary"]).strip(),
        category=str(meta["category"]).strip(),
        body=post.content.strip() + "\n",
        updated=updated,
        source_hash=hashlib.sha256(raw).hexdigest(),
        tags=_string_list(meta.get("tags"), "tags", where),
        related=_string_list(meta.get("related"), "related", where),
        portal_pages=pages,
        priority=priority,
    )


def read_guides(base: Path = GUIDES_DIR) -> list[GuideSource]:
    """Reads every guide file; collects all problems and raises them together."""
    guides, errors = [], []
    for language in Language.values:
        folder = base / language
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.md")):
            try:
                guides.append(read_guide(path, language))
            except GuideSourceError as exc:
                errors.append(str(exc))
    if errors:
        raise GuideSourceError("\n".join(errors))
    return guides
