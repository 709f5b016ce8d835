"""Knowledge-base pages: landing page, categories, guides, search (page, htmx, JSON), votes.

The knowledge base is public: anyone may read and search; a vote is tied to the user when
logged in, else to the browser session.
"""

from django.contrib import messages
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kb import selectors, services
from kb.forms import SearchForm, VoteForm
from kb.models import Category, Language, kb_language
from kb.search import search_guides
from portal.core.ratelimit import rate_limit_exceeded, too_many_requests

LIVE_RESULTS = 8
PAGE_RESULTS = 25


def _language() -> str:
    return kb_language(get_language())


@require_GET
def index(request):
    language = _language()
    return render(
        request,
        "kb/index.html",
        {
            "form": SearchForm(),
            "categories": selectors.categories_with_guides(language=language),
            "popular": selectors.popular_guides(language=language),
        },
    )


@require_GET
def category(request, slug):
    category = get_object_or_404(Category, slug=slug)
    guides = selectors.guides_in_category(category=category, language=_language())
    return render(
        request, "kb/category.html", {"category": category, "guides": guides, "form": SearchForm()}
    )


@require_GET
def guide(request, slug):
    language = _language()
    found = selectors.guide_get(slug=slug, language=language)
    if found is None:
        raise Http404("No such guide.")
    services.guide_register_view(guide=found)
    return _render_guide(request, found, VoteForm())


def _render_guide(request, found, vote_form, status=200):
    language = _language()
    vote = selectors.vote_for(
        guide=found, user=request.user, session_key=request.session.session_key or ""
    )
    context = {
        "guide": found,
        "related": selectors.guides_by_slugs(slugs=found.related, language=language),
        "fallback": found.language != language,
        "vote": vote,
        "vote_form": vote_form,
    }
    return render(request, "kb/guide.html", context, status=status)


@require_POST
def vote(request, slug):
    found = selectors.guide_get(slug=slug, language=_language())
    if found is None:
        raise Http404("No such guide.")
    form = VoteForm(request.POST)
    if form.is_valid():
        if not request.user.is_authenticated and not request.session.session_key:
            request.session.save()
        vote = services.guide_vote(
            guide=found,
            helpful=form.cleaned_data["helpful"],
            comment=form.cleaned_data["comment"],
            user=request.user,
            session_key=request.session.session_key or "",
        )
        if request.htmx:
            return render(
                request,
                "kb/partials/_vote.html",
                {"guide": found, "vote": vote, "vote_form": VoteForm(), "thanks": True},
            )
        messages.success(request, _("Danke für Ihre Rückmeldung."))
        return redirect(f"{found.get_absolute_url()}#feedback")
    if request.htmx:
        return render(request, "kb/partials/_vote.html", {"guide": found, "vote_form": form})
    return _render_guide(request, found, form, status=400)


@require_GET
def search(request):
    form = SearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    # Live results while typing stay short; the full page lists more.
    limit = LIVE_RESULTS if request.htmx else PAGE_RESULTS
    hits = search_guides(query, language=_language(), limit=limit + 1) if query else []
    context = {"form": form, "query": query, "hits": hits[:limit], "more": len(hits) > limit}
    if request.htmx:
        return render(request, "kb/partials/_results.html", context)
    return render(request, "kb/search.html", context)


@require_GET
def api_search(request):
    """`GET /api/kb/search?q=…&lang=de` -> `[{"slug", "title", "url", "snippet"}]`, best first."""
    if rate_limit_exceeded(request, action="kb_api"):
        return too_many_requests()
    form = SearchForm(request.GET)
    if not form.is_valid():  # too long, or a NUL byte (which PostgreSQL refuses)
        return JsonResponse({"error": "; ".join(form.errors["q"])}, status=400)
    language = request.GET.get("lang", "de")
    if language not in Language.values:
        return JsonResponse({"error": "lang must be 'de', 'fr', 'it' or 'en'."}, status=400)
    try:
        limit = min(max(int(request.GET.get("limit", 10)), 1), 50)
    except ValueError:
        return HttpResponseBadRequest("limit must be a number.")
    hits = search_guides(form.cleaned_data["q"], language=language, limit=limit)
    return JsonResponse([hit.as_json() for hit in hits], safe=False)
