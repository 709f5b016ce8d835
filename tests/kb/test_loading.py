"""load_guides: idempotent, all-or-nothing, and the rule when file and admin copy both changed."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kb.models import Category, Guide, GuidePage
from kb.services import guide_save_from_admin, guides_load
from kb.sources import GuideSourceError
from tests.kb.conftest import write_guide


def test_load_creates_guides_categories_and_pages(db, guide_tree):
    report = guides_load(base=guide_tree)
    assert sorted(report.created) == ["de/erste", "de/zweite", "en/erste"]
    assert Category.objects.count() == 2
    first = Guide.objects.get(slug="erste", language="de")
    assert first.related == ["zweite"]
    assert first.body_html.startswith('<h2 id="schritte">')
    assert "Öffnen Sie Produkte" in first.body_text
    assert first.toc == [{"level": 2, "id": "schritte", "name": "Schritte"}]
    assert list(GuidePage.objects.filter(guide=first).values_list("view_name", flat=True)) == [
        "mailservices:product_list"
    ]


def test_second_load_changes_nothing(db, guide_tree):
    guides_load(base=guide_tree)
    before = {g.pk: g.modified_at for g in Guide.objects.all()}
    report = guides_load(base=guide_tree)
    assert report.created == report.updated == []
    assert len(report.unchanged) == 3
    assert {g.pk: g.modified_at for g in Guide.objects.all()} == before


def test_changed_file_updates_the_guide(db, guide_tree):
    guides_load(base=guide_tree)
    write_guide(guide_tree, "zweite", category="hilfe", title="Neuer Titel")
    report = guides_load(base=guide_tree)
    assert report.updated == ["de/zweite"]
    assert Guide.objects.get(slug="zweite").title == "Neuer Titel"


def test_admin_edit_survives_a_load_and_a_changed_file_is_a_conflict(db, guide_tree):
    guides_load(base=guide_tree)
    guide = Guide.objects.get(slug="zweite", language="de")
    guide.title = "Von Hand verbessert"
    guide_save_from_admin(guide=guide)

    report = guides_load(base=guide_tree)  # file unchanged: the admin copy stays
    assert report.kept_admin_edits == ["de/zweite"]
    assert Guide.objects.get(pk=guide.pk).title == "Von Hand verbessert"

    write_guide(guide_tree, "zweite", category="hilfe", title="Aus der Datei")
    report = guides_load(base=guide_tree)  # both changed: admin wins, conflict flagged
    assert report.conflicts == ["de/zweite"]
    guide.refresh_from_db()
    assert guide.title == "Von Hand verbessert"
    assert guide.file_conflict is True

    report = guides_load(base=guide_tree, prefer_files=True)  # explicit: the file wins
    assert report.updated == ["de/zweite"]
    guide.refresh_from_db()
    assert (guide.title, guide.edited_in_admin, guide.file_conflict) == (
        "Aus der Datei",
        False,
        False,
    )


def test_removed_file_unpublishes_but_keeps_the_guide(db, guide_tree):
    guides_load(base=guide_tree)
    (guide_tree / "de" / "zweite.md").unlink()
    write_guide(guide_tree, "erste", related="[]")  # no longer points at the removed guide
    report = guides_load(base=guide_tree)
    assert report.unpublished == ["de/zweite"]
    assert Guide.objects.get(slug="zweite").is_published is False


def test_a_broken_guide_stops_the_whole_load_and_writes_nothing(db, guide_tree):
    write_guide(guide_tree, "kaputt", body="Server {{ mail_hots }}\n")
    write_guide(guide_tree, "ohne-kategorie", category="gibt-es-nicht")
    with pytest.raises(GuideSourceError) as info:
        guides_load(base=guide_tree)
    message = str(info.value)
    assert "kaputt.md" in message and "{{ mail_hots }}" in message
    assert Guide.objects.count() == 0 and Category.objects.count() == 0


@pytest.mark.parametrize(
    ("meta", "problem"),
    [
        ({"title": ""}, "es fehlt title"),
        ({"updated": "gestern"}, "updated ist kein Datum"),
        ({"related": "[gibt-es-nicht]"}, "verwandte Anleitungen fehlen"),
        ({"portal_pages": "['Keine Seite!']"}, "keine URL-Namen"),
        ({"tags": "keine-liste"}, "tags muss eine Liste"),
        ({"title": "'offen"}, "Kopfzeilen nicht lesbar"),
    ],
)
def test_bad_front_matter_gets_a_clear_message(db, guide_tree, meta, problem):
    write_guide(guide_tree, "neu", **meta)
    with pytest.raises(GuideSourceError, match=problem):
        guides_load(base=guide_tree)


def test_command_reports_counts_and_fails_cleanly(db, guide_tree, capsys):
    call_command("load_guides", path=guide_tree)
    assert "3 created" in capsys.readouterr().out
    write_guide(guide_tree, "kaputt", body="{{ nix }}\n")
    with pytest.raises(CommandError, match="No guide was loaded"):
        call_command("load_guides", path=guide_tree)


def test_command_lists_the_placeholders(capsys):
    call_command("load_guides", list_placeholders=True)
    out = capsys.readouterr().out
    assert "{{ mail_host }}  ->  PORTAL_MAIL_HOST" in out


def test_changed_provider_settings_rerender_unchanged_guides(db, guide_tree, settings):
    write_guide(guide_tree, "zweite", category="hilfe", body="Server: {{ mail_host }}\n")
    guides_load(base=guide_tree)
    settings.PORTAL_MAIL_HOST = "imap.anders.example"
    report = guides_load(base=guide_tree)
    assert report.rerendered == ["de/zweite"]
    assert "imap.anders.example" in Guide.objects.get(slug="zweite").body_html


def test_placeholders_in_title_and_summary_are_substituted(db, guide_tree, settings):
    settings.PORTAL_PROVIDER_NAME = "Testpost"
    write_guide(guide_tree, "zweite", category="hilfe", summary="Hilfe von {{ provider_name }}")
    guides_load(base=guide_tree)
    assert Guide.objects.get(slug="zweite").summary == "Hilfe von Testpost"
