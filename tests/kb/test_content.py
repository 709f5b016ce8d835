"""The guides themselves: enough of them, every SPEC topic, consistent links, Swiss spelling.

These read the files only (no database), so they are quick and catch a broken guide before
`load_guides` does.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import Resolver404, resolve

from kb.rendering import render_guide
from kb.sources import read_categories, read_guides

STATIC = Path(settings.BASE_DIR) / "static"
GUIDES = read_guides()
BY_LANG = {lang: {g.slug: g for g in GUIDES if g.language == lang} for lang in ("de", "en")}
GERMAN, ENGLISH = BY_LANG["de"], BY_LANG["en"]

# Slugs the other engineers link to directly (team brief), and the per-topic guides of issue 7.
SHARED_SLUGS = [
    "catchall", "versandlimits", "spam-abgelehnt", "mailpasswort-aendern",
    "automatische-diagnose", "dns-eintraege", "abwesenheitsnotiz", "phishing-melden",
    "eml-herunterladen", "adressen-kaufen", "mailclient-einrichten", "newsletter-tool",
    "spamfilter-externe-warnung",
]  # fmt: skip
TOPIC_SLUGS = [
    "outlook-2007", "outlook-2010", "outlook-mac", "thunderbird", "apple-mail", "iphone",
    "android", "wordpress-smtp", "prestashop-smtp", "joomla-smtp", "maildienst-bestellen",
    "weiterer-maildienst", "erste-adresse", "mx-eintrag", "spf-eintrag", "dkim-eintrag",
    "portal-passwort-vergessen", "postfach-voll", "nachricht-nicht-erhalten",
    "smtp-statt-php-mail", "grosse-anhaenge", "nachricht-pruefen",
]  # fmt: skip
FORBIDDEN_EXTENSIONS = [
    ".exe", ".com", ".cmd", ".cpl", ".hta", ".scf", ".sct", ".lnk", ".bat", ".js", ".jse",
    ".wsh", ".ws", ".wsf", ".wsc", ".vbe", ".vb", ".vbs", ".shs", ".pif", ".scr",
]  # fmt: skip


def test_enough_guides_in_both_languages():
    assert len(GERMAN) >= 40
    assert len(ENGLISH) >= 15
    assert set(ENGLISH) <= set(GERMAN), "every English guide translates a German one"


def test_the_english_guides_are_the_most_read_german_ones():
    """`priority` orders "Meistgelesen" on a fresh install; the top 15 must exist in English."""
    ranked = sorted(GERMAN.values(), key=lambda g: (-g.priority, g.title))[:15]
    assert {g.slug for g in ranked} <= set(ENGLISH)


@pytest.mark.parametrize("slug", SHARED_SLUGS + TOPIC_SLUGS)
def test_topic_guide_exists(slug):
    assert slug in GERMAN


def test_categories_used_exist():
    categories = {c.slug for c in read_categories()}
    assert {g.category for g in GUIDES} <= categories


@pytest.mark.parametrize("guide", GUIDES, ids=lambda g: f"{g.language}/{g.slug}")
def test_guide_is_consistent(guide):
    rendered = render_guide(guide.body)
    assert "ß" not in guide.body + guide.title + guide.summary, "Swiss spelling: ss, not ß"
    assert set(guide.related) <= set(GERMAN), "related guides exist"
    internal = [link for link in rendered.links if link.startswith("/")]
    assert internal, "a guide links to portal pages or other guides"
    for link in internal:
        path = link.split("#")[0]
        if path.startswith("/kb/"):
            assert path.split("/")[2] in GERMAN, f"{link} is not a guide"
        else:
            try:
                resolve(path)
            except Resolver404:  # pragma: no cover - the message says which
                pytest.fail(f"{link} is not a portal page")
    for src in re.findall(r"!\[[^\]]+\]\(([^)\s]+)\)", guide.body):
        # Images are our own screenshots (scripts/kb_screenshots.py), served from static/.
        assert src.startswith("/static/kb/"), src
        assert (STATIC / src.removeprefix("/static/")).is_file(), f"{src} is missing"
    for view_name in guide.portal_pages:
        assert re.fullmatch(r"[a-z_]+(:[a-z_]+)*", view_name)


@pytest.mark.parametrize("slug", [s for s, g in GERMAN.items() if "\n1. " in g.body])
def test_step_by_step_guides_link_to_the_portal_page_of_their_steps(slug):
    links = render_guide(GERMAN[slug].body).links
    portal = [link for link in links if link.startswith("/") and not link.startswith("/kb/")]
    assert portal, "steps name a portal page and link to it"


def test_spec_facts_are_in_the_guides():
    limits = GERMAN["versandlimits"].body
    for figure in ("500", "1440", "100", "50"):
        assert figure in limits
    assert "42 Personen 42" in limits and "99 Personen 99" in limits
    rejected = GERMAN["spam-abgelehnt"].body
    assert "554 5.7.0 AV: Message is rejected by headers rule filter.." in rejected
    assert "http//.domain.xyz" in rejected
    for ext in FORBIDDEN_EXTENSIONS:
        assert f"`{ext}`" in rejected and f"`{ext}`" in GERMAN["grosse-anhaenge"].body
    clients = GERMAN["mailclient-einrichten"].body
    for fact in ("993", "465", "SSL/TLS", "{{ mail_host }}", "vollständige E-Mail-Adresse"):
        assert fact in clients
    catchall = GERMAN["catchall"].body
    assert "`catchall`" in catchall and "kostenpflichtig" in catchall
    assert "Could not instantiate mail function" in GERMAN["prestashop-smtp"].body
    assert "sender mismatch" in GERMAN["prestashop-smtp"].body
    assert "X-Mailer" in GERMAN["smtp-statt-php-mail"].body
    assert "8,1 %" in GERMAN["maildienst-bestellen"].body


def test_provider_names_come_from_placeholders_not_from_the_text():
    for guide in GUIDES:
        assert "alpenpost" not in guide.body.lower(), f"{guide.slug}: use {{{{ mail_host }}}} etc."
