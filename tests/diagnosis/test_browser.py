"""The diagnosis in a real browser: "Jetzt prüfen" with htmx, progress, result, keyboard."""

import re

import pytest

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.dns, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def logged_in(page, make_customer, make_keyed_service, diagnosis_settings):
    customer = make_customer("diagnose@example.org")
    service = make_keyed_service(customer, "mx-backup-missing.test")
    page.goto("/accounts/login/")
    page.get_by_label("E-Mail-Adresse").fill("diagnose@example.org")
    page.get_by_label(re.compile(r"^Passwort:?$")).fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(re.compile(r"/$"))
    return service


def test_check_now_shows_lights_and_fix(page, logged_in):
    service = logged_in
    page.goto(f"/services/{service.pk}/diagnosis/")
    assert page.get_by_text("noch keine Diagnose").is_visible()
    # Keyboard only: focus the button and press Enter; htmx posts and polls.
    page.get_by_role("button", name="Jetzt prüfen").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/services/{service.pk}/diagnosis/\?run=\d+#ergebnis$"))
    mx = page.locator("#check-mx")
    assert "Warnung" in mx.locator("h2").inner_text()
    assert "mx2.alpenpost.example" in mx.inner_text()
    assert mx.locator("button[data-copy='20 mx2.alpenpost.example.']").count() == 1
    assert page.locator("#check-spf .light-ok").count() == 1
    # The ok checks keep their records folded away.
    assert not page.locator("#check-spf table").is_visible()


def test_summary_on_the_service_page_links_to_the_diagnosis(page, logged_in):
    service = logged_in
    page.goto(f"/services/{service.pk}/")
    page.get_by_role("button", name="Jetzt prüfen").click()
    # Without htmx the form posts, the progress page refreshes, then the result shows.
    page.wait_for_url(re.compile(rf"/services/{service.pk}/diagnosis/"))
    page.goto(f"/services/{service.pk}/")
    assert page.locator(".diag-lights .light").count() == 8
    page.get_by_role("link", name="Diagnose und Anleitung ansehen").click()
    page.wait_for_url(re.compile(rf"/services/{service.pk}/diagnosis/$"))


def test_mta_sts_and_dnssec_show_their_verdicts_and_guides(
    page, make_customer, make_keyed_service, diagnosis_settings
):
    """An MTA-STS policy that misses an MX host (fetched over HTTPS from the test server) is
    an error with the records and the guide; a signed zone's DNSSEC is checked too."""
    import os

    customer = make_customer("sts@example.org")
    service = make_keyed_service(customer, "mta-sts-uncovered.test")
    page.goto("/accounts/login/")
    page.get_by_label("E-Mail-Adresse").fill("sts@example.org")
    page.get_by_label(re.compile(r"^Passwort:?$")).fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(re.compile(r"/$"))
    page.goto(f"/services/{service.pk}/diagnosis/")
    page.get_by_role("button", name="Jetzt prüfen").click()
    page.wait_for_url(re.compile(rf"/services/{service.pk}/diagnosis/\?run=\d+#ergebnis$"))
    sts = page.locator("#check-mta_sts")
    assert "Verschlüsselte Zustellung (MTA-STS)" in sts.locator("h2").inner_text()
    assert "Fehler" in sts.locator("h2").inner_text()
    assert "mx2.alpenpost.example nicht" in sts.inner_text()
    assert sts.locator("td.diag-name", has_text="_mta-sts.mta-sts-uncovered.test.").count() == 1
    assert sts.get_by_role("link", name=re.compile("Anleitung")).get_attribute("href") == (
        "/kb/mta-sts/"
    )
    dnssec = page.locator("#check-dnssec")
    assert "Signierte Zone (DNSSEC)" in dnssec.locator("h2").inner_text()
    assert "nicht mit DNSSEC signiert (optional)" in dnssec.inner_text()
    assert dnssec.locator(".light-ok").count() == 1
    if os.environ.get("DIAGNOSIS_SCREENSHOT"):
        page.set_viewport_size({"width": 1280, "height": 900})
        sts.scroll_into_view_if_needed()
        page.screenshot(path=os.environ["DIAGNOSIS_SCREENSHOT"], full_page=True)
