"""Writes of the knowledge base: loading guide files, admin edits, index upkeep, votes."""

import logging
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F

from kb.models import Category, Guide, GuidePage, GuideVote, SearchTerm
from kb.rendering import RenderedGuide, render_guide, substitute_placeholders
from kb.search import CONFIGS
from kb.sources import GUIDES_DIR, GuideSource, GuideSourceError, read_categories, read_guides
from kb.text import transliterate, vocabulary

logger = logging.getLogger(__name__)

# Text search configuration per guide language (kb_french and kb_italian: PostgreSQL's french
# and italian with unaccent before stemming, kb migration 0004).
SEARCH_CONFIGS = CONFIGS


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept_admin_edits: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    unpublished: list[str] = field(default_factory=list)
    rerendered: list[str] = field(default_factory=list)


def _apply_rendering(guide: Guide, rendered: RenderedGuide | None = None) -> None:
    rendered = rendered or render_guide(guide.body)
    guide.body_html = rendered.html
    guide.body_text = rendered.text
    guide.toc = rendered.toc


def _rerender_if_stale(guide: Guide, source: GuideSource | None, rendered=None) -> bool:
    """Re-renders with the current provider settings; `source` for guides that follow a file."""
    old = (guide.title, guide.summary, guide.body_html, guide.body_text, guide.toc)
    if source is not None:
        guide.title = substitute_placeholders(source.title)
        guide.summary = substitute_placeholders(source.summary)
    _apply_rendering(guide, rendered)
    if (guide.title, guide.summary, guide.body_html, guide.body_text, guide.toc) == old:
        return False
    guide.save(update_fields=["title", "summary", "body_html", "body_text", "toc", "modified_at"])
    return True


def _set_pages(guide: Guide, view_names: list[str]) -> None:
    wanted = set(view_names)
    current = set(guide.pages.values_list("view_name", flat=True))
    if current == wanted:
        return
    guide.pages.exclude(view_name__in=wanted).delete()
    GuidePage.objects.bulk_create(
        [GuidePage(guide=guide, view_name=name) for name in sorted(wanted - current)]
    )


def _display_path(path: str) -> str:
    try:
        return str(Path(path).resolve().relative_to(settings.BASE_DIR))
    except ValueError:
        return path


def _reference_errors(sources: list[GuideSource], category_slugs: set[str]) -> list[str]:
    slugs = {s.slug for s in sources} | set(Guide.objects.values_list("slug", flat=True))
    errors = []
    for source in sources:
        if source.category not in category_slugs:
            errors.append(f"{source.path}: unbekannte Kategorie {source.category!r}")
        missing = [slug for slug in source.related if slug not in slugs]
        if missing:
            errors.append(f"{source.path}: verwandte Anleitungen fehlen: {missing}")
        if source.slug in source.related:
            errors.append(f"{source.path}: verweist unter related auf sich selbst")
    return errors


@transaction.atomic
def guides_load(*, base: Path = GUIDES_DIR, prefer_files: bool = False) -> LoadReport:
    """Loads the guide files into the database; idempotent, all or nothing.

    Rule when both copies changed: an admin edit wins (the guide is reported as a conflict and
    flagged in the admin) unless `prefer_files` is given; see the README.
    """
    categories = read_categories(base)
    sources = read_guides(base)
    errors = _reference_errors(sources, {c.slug for c in categories})
    rendered: dict[str, RenderedGuide] = {}
    for source in sources:  # render everything first: a broken guide stops the whole load
        try:
            rendered[source.path] = render_guide(source.body)
            substitute_placeholders(source.title + source.summary)
        except ValueError as exc:
            errors.append(f"{source.path}: {exc}")
    if errors:
        raise GuideSourceError("\n".join(sorted(errors)))

    category_by_slug = {}
    for cat in categories:
        category_by_slug[cat.slug], _ = Category.objects.update_or_create(
            slug=cat.slug,
            defaults={
                "name_de": cat.name_de,
                "name_en": cat.name_en,
                "name_fr": cat.name_fr,
                "name_it": cat.name_it,
                "description_de": cat.description_de,
                "description_en": cat.description_en,
                "description_fr": cat.description_fr,
                "description_it": cat.description_it,
                "position": cat.position,
            },
        )

    report = LoadReport()
    existing = {(g.slug, g.language): g for g in Guide.objects.all()}
    seen = set()
    for source in sources:
        key = (source.slug, source.language)
        seen.add(key)
        label = f"{source.language}/{source.slug}"
        guide = existing.get(key)
        if guide is None:
            guide = Guide(slug=source.slug, language=source.language)
            report.created.append(label)
        elif (guide.source_hash == source.source_hash and guide.is_published) or (
            guide.edited_in_admin and not prefer_files
        ):
            if guide.edited_in_admin and guide.source_hash != source.source_hash:
                if not guide.file_conflict:
                    guide.file_conflict = True
                    guide.save(update_fields=["file_conflict"])
                report.conflicts.append(label)
            elif guide.edited_in_admin:
                report.kept_admin_edits.append(label)
            else:
                report.unchanged.append(label)
            # Provider settings may have changed since the last load: re-render.
            follows_file = not guide.edited_in_admin
            if _rerender_if_stale(
                guide,
                source if follows_file else None,
                rendered[source.path] if follows_file else None,
            ):
                report.rerendered.append(label)
            continue
        else:
            report.updated.append(label)
        guide.title = substitute_placeholders(source.title)
        guide.summary = substitute_placeholders(source.summary)
        guide.category = category_by_slug[source.category]
        guide.tags = source.tags
        guide.related = source.related
        guide.body = source.body
        guide.updated = source.updated
        guide.priority = source.priority
        guide.is_published = True
        guide.source_path = _display_path(source.path)
        guide.source_hash = source.source_hash
        guide.edited_in_admin = False
        guide.file_conflict = False
        _apply_rendering(guide, rendered[source.path])
        # Uniqueness is the database's job (constraint); skipping its check saves a query each.
        guide.full_clean(exclude=["search_vector"], validate_unique=False)
        is_new = guide.pk is None
        guide.save()
        if is_new:
            GuidePage.objects.bulk_create(
                [
                    GuidePage(guide=guide, view_name=name)
                    for name in sorted(set(source.portal_pages))
                ]
            )
        else:
            _set_pages(guide, source.portal_pages)

    # A guide whose file was removed goes offline (its votes stay); admin-made guides stay.
    for key, guide in existing.items():
        if key not in seen and guide.source_hash and guide.is_published:
            guide.is_published = False
            guide.save(update_fields=["is_published", "modified_at"])
            report.unpublished.append(f"{guide.language}/{guide.slug}")

    if report.created or report.updated or report.unpublished or report.rerendered:
        search_index_refresh()
    return report


@transaction.atomic
def guide_save_from_admin(
    *, guide: Guide, portal_pages: list[str] | None = None, release_to_file: bool = False
) -> Guide:
    """Saves a staff edit: re-renders and refreshes the index.

    The edit pins the guide (load_guides keeps it) unless staff release it to its file: then
    the next load_guides takes the file again, even if the file did not change.
    """
    _apply_rendering(guide)
    if release_to_file:
        guide.edited_in_admin = False
        guide.file_conflict = False
        guide.source_hash = ""
    else:
        guide.edited_in_admin = True
    guide.full_clean(exclude=["search_vector"])
    guide.save()
    if portal_pages is not None:
        _set_pages(guide, portal_pages)
    search_index_refresh(guide_ids=[guide.pk])
    return guide


def _vector_rows(guides) -> list[dict]:
    rows = []
    for g in guides:
        tags = " ".join(g.tags)
        rows.append(
            {
                "cfg": SEARCH_CONFIGS[g.language],
                "title": f"{g.title} {transliterate(g.title)}",
                "summary": f"{g.summary} {tags} {transliterate(tags)}",
                "body": g.body_text,
                "id": g.pk,
            }
        )
    return rows


def search_index_refresh(*, guide_ids: list[int] | None = None) -> None:
    """Recomputes the weighted search vectors (PostgreSQL) and the typo vocabulary."""
    guides = Guide.objects.only("id", "language", "title", "summary", "tags", "body_text")
    if guide_ids is not None:
        guides = guides.filter(pk__in=guide_ids)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.executemany(
                "UPDATE kb_guide SET"
                " search_head = setweight(to_tsvector(%(cfg)s::regconfig, %(title)s), 'A')"
                " || setweight(to_tsvector(%(cfg)s::regconfig, %(summary)s), 'B'),"
                " search_vector = setweight(to_tsvector(%(cfg)s::regconfig, %(title)s), 'A')"
                " || setweight(to_tsvector(%(cfg)s::regconfig, %(summary)s), 'B')"
                " || setweight(to_tsvector(%(cfg)s::regconfig, %(body)s), 'C')"
                " WHERE id = %(id)s",
                _vector_rows(guides),
            )
    vocabulary_rebuild()


def vocabulary_rebuild() -> None:
    words = set()
    for title, summary, tags, text in Guide.objects.published().values_list(
        "title", "summary", "tags", "body_text"
    ):
        words |= vocabulary(title, summary, " ".join(tags), text, transliterate(title))
    SearchTerm.objects.all().delete()
    SearchTerm.objects.bulk_create([SearchTerm(word=w) for w in sorted(words)], batch_size=2000)


def guide_register_view(*, guide: Guide) -> None:
    Guide.objects.filter(pk=guide.pk).update(view_count=F("view_count") + 1)


def guide_vote(
    *, guide: Guide, helpful: bool, comment: str = "", user=None, session_key: str = ""
) -> GuideVote:
    """Records (or changes) the one vote of a user, or of an anonymous session."""
    if user is not None and user.is_authenticated:
        lookup = {"guide": guide, "user": user}
    elif session_key:
        lookup = {"guide": guide, "user": None, "session_key": session_key}
    else:
        raise ValueError("A vote needs a user or a session.")
    defaults = {"helpful": helpful, "session_key": session_key}
    if comment.strip():
        defaults["comment"] = comment.strip()
    try:
        with transaction.atomic():
            vote, _ = GuideVote.objects.update_or_create(**lookup, defaults=defaults)
    except IntegrityError:  # two clicks at once: the other request created it first
        vote = GuideVote.objects.get(**lookup)
        GuideVote.objects.filter(pk=vote.pk).update(**defaults)
        vote.refresh_from_db()
    return vote
