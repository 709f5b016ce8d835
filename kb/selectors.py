"""Reads of the knowledge base. A guide is shown in the active language, else in German."""

from django.db.models import Count, Q

from kb.models import Category, Guide, GuidePage, GuideVote

FALLBACK_LANGUAGE = "de"


def _languages(language: str) -> list[str]:
    return [language] if language == FALLBACK_LANGUAGE else [language, FALLBACK_LANGUAGE]


def _prefer(guides, language: str) -> list[Guide]:
    """One guide per slug, in `language` when it exists; keeps the order of first sight."""
    chosen: dict[str, Guide] = {}
    for guide in guides:
        current = chosen.get(guide.slug)
        if current is None or (guide.language == language and current.language != language):
            chosen[guide.slug] = guide
    return list(chosen.values())


def _listing(language: str):
    return (
        Guide.objects.published()
        .filter(language__in=_languages(language))
        .only("slug", "language", "title", "summary", "category_id", "updated", "view_count")
    )


def guide_get(*, slug: str, language: str) -> Guide | None:
    guides = (
        Guide.objects.published()
        .filter(slug=slug, language__in=_languages(language))
        .select_related("category")
    )
    found = _prefer(guides, language)
    return found[0] if found else None


def guide_languages(*, slug: str) -> list[str]:
    return list(
        Guide.objects.published()
        .filter(slug=slug)
        .order_by("language")
        .values_list("language", flat=True)
    )


def guides_by_slugs(*, slugs: list[str], language: str) -> list[Guide]:
    guides = {g.slug: g for g in _prefer(_listing(language).filter(slug__in=slugs), language)}
    return [guides[slug] for slug in slugs if slug in guides]


def popular_guides(*, language: str, limit: int = 8) -> list[Guide]:
    guides = _listing(language).order_by("-view_count", "-priority", "title")
    return _prefer(guides, language)[:limit]


def categories_with_guides(*, language: str) -> list[Category]:
    """Categories in order, each with `guide_list` (display versions, by title)."""
    categories = list(Category.objects.order_by("position", "slug"))
    guides = _prefer(_listing(language).order_by("-priority", "title"), language)
    by_category: dict[int, list[Guide]] = {}
    for guide in guides:
        by_category.setdefault(guide.category_id, []).append(guide)
    for category in categories:
        category.guide_list = by_category.get(category.pk, [])
    return [c for c in categories if c.guide_list]


def guides_in_category(*, category: Category, language: str) -> list[Guide]:
    guides = _listing(language).filter(category=category).order_by("-priority", "title")
    return _prefer(guides, language)


def guides_for_page(*, view_name: str, language: str) -> list[Guide]:
    # Any language version may name the page; one query with a subquery.
    slugs = GuidePage.objects.filter(view_name=view_name).values("guide__slug")
    guides = (
        _listing(language)
        .filter(slug__in=slugs)
        .order_by("-priority", "title")
        .only("slug", "language", "title")
    )
    return _prefer(guides, language)


def vote_for(*, guide: Guide, user=None, session_key: str = "") -> GuideVote | None:
    if user is not None and user.is_authenticated:
        return GuideVote.objects.filter(guide=guide, user=user).first()
    if session_key:
        return GuideVote.objects.filter(guide=guide, user=None, session_key=session_key).first()
    return None


def guides_with_ratings():
    """For the admin: helpful / not helpful counts per guide."""
    return Guide.objects.annotate(
        helpful_count=Count("votes", filter=Q(votes__helpful=True)),
        unhelpful_count=Count("votes", filter=Q(votes__helpful=False)),
    )
