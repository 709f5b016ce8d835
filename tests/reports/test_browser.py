"""The dashboard in chromium (screenshot for review)."""

import os
import re
from pathlib import Path

import pytest

from mailservices.reports.models import SourceHost
from tests.conftest import PASSWORD
from tests.reports.test_views import _dmarc

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("MAILLOG_SCREENSHOTS", "/tmp/maillog-screenshots"))


def test_dashboard_in_the_browser(page, live_server, transactional_db, world_reports):
    domain = world_reports
    SourceHost.objects.create(
        ip="198.51.100.77",
        reverse_name="mail-40.out.newsletter-tool.example",
        organisation="newsletter-tool.example",
    )
    for days_ago in range(1, 20, 2):
        _dmarc(
            domain,
            days_ago=days_ago,
            rows=[
                ("192.0.2.3", 80 + days_ago, "pass", "pass", domain.name),
                ("198.51.100.77", days_ago % 5, "fail", "fail", "bounces.newsletter-tool.example"),
            ],
        )
    page.goto("/accounts/login/")
    page.get_by_label("E-Mail-Adresse").fill("anna@example.org")
    page.get_by_label(re.compile(r"^Passwort:?$")).fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"/reports/domains/{domain.pk}/")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "domain_reports.png"), full_page=True)
    assert page.locator("svg rect.bad").count() > 0
    assert "newsletter-tool.example" in page.inner_text("main")
