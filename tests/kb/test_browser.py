"""The knowledge base in chromium: live results while typing, a guide, the vote by keyboard."""

import pytest

from kb.models import GuideVote
from kb.services import guides_load

pytestmark = [pytest.mark.browser]


@pytest.fixture
def real_guides(transactional_db):
    guides_load()


def test_live_search_then_read_and_rate_a_guide(page, real_guides):
    page.goto("/kb/")
    page.get_by_label("Wissensdatenbank durchsuchen").press_sequentially("catchal", delay=30)
    first = page.locator("#kb-results .kb-hit-title").first
    first.wait_for()
    assert "Catchall" in first.inner_text()
    assert page.locator("#kb-results mark").count() > 0
    first.click()
    page.wait_for_url("**/kb/catchall/")
    assert page.locator("nav.kb-toc a").count() >= 3
    assert page.locator(".kb-body .admonition.warning").is_visible()

    page.get_by_label("Kommentar (freiwillig)").fill("Klar erklärt.")
    page.keyboard.press("Tab")  # keyboard only: from the comment to the "Ja" button
    page.keyboard.press("Enter")
    page.get_by_text("Danke für Ihre Rückmeldung.").wait_for()
    vote = GuideVote.objects.get()
    assert (vote.helpful, vote.comment) == (True, "Klar erklärt.")


def test_search_page_works_without_javascript(browser, live_server, real_guides):
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url)
    page = context.new_page()
    page.goto("/kb/")
    page.fill("#kb-q", "Passwort vergessen")
    page.click("button[type=submit]")
    page.wait_for_url("**/kb/search/?q=*")
    assert page.locator(".kb-hit-title").count() > 0
    context.close()
