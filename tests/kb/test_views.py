"""Knowledge-base pages, the JSON search API, votes and the help links on every page."""

import json

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import resolve, reverse
from django.utils import translation

from kb.models import Guide, GuideVote
from kb.services import guides_load
from tests.kb.conftest import write_guide


@pytest.fixture
def tree_loaded(db, guide_tree):
    for index in range(6):  # enough rows to show that query counts do not grow with them
        write_guide(guide_tree, f"extra-{index}", title=f"Weitere Anleitung {index}")
    guides_load(base=guide_tree)
    return guide_tree


def test_landing_page_lists_categories_and_guides(
    client, tree_loaded, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        response = client.get(reverse("kb:index"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Titel erste" in body and "Weitere Anleitung 5" in body
    assert reverse("kb:category", args=["hilfe"]) in body


def test_category_page(client, tree_loaded, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        response = client.get(reverse("kb:category", args=["start"]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Weitere Anleitung 3" in body and "Titel zweite" not in body
    assert client.get(reverse("kb:category", args=["gibt-es-nicht"])).status_code == 404


def test_guide_page_has_breadcrumbs_toc_related_date_and_vote_form(
    client, tree_loaded, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        response = client.get(reverse("kb:guide", args=["erste"]))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'class="breadcrumbs"' in body and reverse("kb:category", args=["start"]) in body
    assert 'href="#schritte"' in body  # table of contents
    assert "Titel zweite" in body  # related guide
    assert 'datetime="2026-11-01"' in body
    assert "War diese Anleitung hilfreich?" in body
    assert Guide.objects.get(slug="erste", language="de").view_count == 1


def test_guide_in_english_with_german_fallback(client, tree_loaded):
    client.cookies["django_language"] = "en"
    assert "First summary" in client.get("/kb/erste/").content.decode()
    fallback = client.get("/kb/zweite/").content.decode()
    assert "Zusammenfassung zweite" in fallback
    assert "This guide is only available in German." in fallback


def test_unknown_or_unpublished_guide_is_404(client, tree_loaded):
    assert client.get("/kb/gibt-es-nicht/").status_code == 404
    Guide.objects.filter(slug="zweite").update(is_published=False)
    assert client.get("/kb/zweite/").status_code == 404


def test_search_page_and_htmx_partial(client, tree_loaded):
    page = client.get(reverse("kb:search"), {"q": "Weitere Anleitung 4"})
    assert page.status_code == 200
    assert "<html" in page.content.decode() and "Weitere Anleitung 4" in page.content.decode()
    partial = client.get(reverse("kb:search"), {"q": "Produkte"}, HTTP_HX_REQUEST="true")
    body = partial.content.decode()
    assert "<html" not in body and "<mark>" in body
    empty = client.get(reverse("kb:search"), {"q": "xyzzyq"}, HTTP_HX_REQUEST="true")
    assert "Keine Anleitung gefunden" in empty.content.decode()


def test_api_search_answers_the_agreed_json(client, tree_loaded):
    response = client.get("/api/kb/search", {"q": "Weitere Anleitung 2", "lang": "de"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = json.loads(response.content)
    assert isinstance(data, list) and data
    assert set(data[0]) == {"slug", "title", "url", "snippet"}
    assert data[0]["slug"] == "extra-2"
    assert data[0]["url"] == "/kb/extra-2/"


def test_api_search_in_english_titles_english_versions(client, tree_loaded):
    data = client.get("/api/kb/search", {"q": "erste", "lang": "en"}).json()
    assert {"slug": "erste", "title": "First"}.items() <= data[0].items()


def test_api_search_rejects_bad_input_clearly(client, tree_loaded):
    assert client.get("/api/kb/search", {"q": "x", "lang": "es"}).status_code == 400
    assert client.get("/api/kb/search", {"q": "x", "limit": "viele"}).status_code == 400
    assert client.get("/api/kb/search", {"q": ""}).json() == []
    assert client.get("/api/kb/search").json() == []
    assert client.post("/api/kb/search", {"q": "x"}).status_code == 405


def test_anonymous_vote_is_one_per_session_and_can_change(client, tree_loaded):
    url = reverse("kb:vote", args=["erste"])
    response = client.post(url, {"helpful": "yes"})
    assert response.status_code == 302 and response["Location"].endswith("/kb/erste/#feedback")
    client.post(url, {"helpful": "no", "comment": "Schritt 3 fehlt."})
    vote = GuideVote.objects.get()
    assert (vote.helpful, vote.comment, vote.user) == (False, "Schritt 3 fehlt.", None)
    assert vote.session_key
    assert "Ihre Antwort: Nein" in client.get("/kb/erste/").content.decode()


def test_logged_in_vote_is_one_per_user_across_sessions(client, customer, tree_loaded):
    client.force_login(customer.owner)
    url = reverse("kb:vote", args=["erste"])
    client.post(url, {"helpful": "yes"})
    client.logout()
    client.force_login(customer.owner)
    client.post(url, {"helpful": "no"})
    assert GuideVote.objects.filter(user=customer.owner).count() == 1
    assert GuideVote.objects.get().helpful is False


def test_vote_by_htmx_renders_the_partial(client, tree_loaded):
    response = client.post(
        reverse("kb:vote", args=["erste"]), {"helpful": "yes"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert "Danke für Ihre Rückmeldung." in body


def test_vote_without_answer_shows_the_error_inline(client, tree_loaded):
    response = client.post(reverse("kb:vote", args=["erste"]), {"comment": "hm"})
    assert response.status_code == 400
    assert "Bitte wählen Sie «Ja» oder «Nein»." in response.content.decode()
    assert not GuideVote.objects.exists()


def test_vote_needs_csrf(tree_loaded):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post(reverse("kb:vote", args=["erste"]), {"helpful": "yes"}).status_code == 403


def _render_help_links(path):
    request = RequestFactory().get(path)
    if path is not None:
        request.resolver_match = resolve(path)
    return Template("{% load kb_tags %}{% guide_links %}").render(Context({"request": request}))


def test_help_links_show_guides_for_the_page_in_one_query(tree_loaded, django_assert_num_queries):
    with django_assert_num_queries(1), translation.override("en"):
        html = _render_help_links(reverse("mailservices:product_list"))
    assert "/kb/erste/" in html and "First" in html  # English version preferred
    with django_assert_num_queries(1):
        assert _render_help_links(reverse("kb:index")).strip() == ""


def test_help_links_without_resolver_match_cost_nothing(db, django_assert_num_queries):
    request = RequestFactory().get("/nirgends/")
    with django_assert_num_queries(0):
        html = Template("{% load kb_tags %}{% guide_links %}").render(Context({"request": request}))
        empty = Template("{% load kb_tags %}{% guide_links %}").render(Context({}))
    assert html.strip() == "" and empty.strip() == ""


def test_help_links_appear_on_a_real_portal_page(customer_client, tree_loaded):
    body = customer_client.get(reverse("mailservices:product_list")).content.decode()
    assert 'class="help-links"' in body and "/kb/erste/" in body
