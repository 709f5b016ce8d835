"""Screenshots of the portal for the guides, taken by chromium against a running portal.

    .venv/bin/python scripts/kb_screenshots.py --base-url http://127.0.0.1:8000

A development tool (it drives Playwright), kept out of the `kb` app so that the app never
imports Playwright.

Needs the demo data (`manage.py seed_demo`) and Debian's chromium. Signs in as the demo
customer, opens the pages below and saves the named region of each as
`static/kb/screens/<name>.png`; guides embed them with `![…](/static/kb/screens/<name>.png)`.
Run it again whenever those pages change.
"""

import argparse
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

OUT = Path(__file__).resolve().parent.parent / "static" / "kb" / "screens"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
DEMO_LOGIN = ("demo@example.com", "Demo-Passwort-2026")
DEMO_DOMAIN = "demo-kunde.ch"


def _service_page(page, base: str) -> None:
    page.goto(f"{base}/services/")
    page.get_by_role("link", name=DEMO_DOMAIN).first.click()
    page.wait_for_load_state("networkidle")


def _union(*boxes) -> dict:
    left = min(b["x"] for b in boxes)
    top = min(b["y"] for b in boxes)
    right = max(b["x"] + b["width"] for b in boxes)
    bottom = max(b["y"] + b["height"] for b in boxes)
    pad = 12
    return {"x": max(0, left - pad), "y": max(0, top - pad),
            "width": right - left + 2 * pad, "height": bottom - top + 2 * pad}  # fmt: skip


def shot_service_head(page, base: str, path: Path) -> None:
    """The service page's head: name, plan, status, «Weitere Adressen kaufen»."""
    _service_page(page, base)
    page.locator(".page-head").first.screenshot(path=str(path))


def shot_generic_menu(page, base: str, path: Path) -> None:
    """«E-Mail-Adresse erstellen» with the «Generische E-Mail-Adresse erstellen» menu open."""
    _service_page(page, base)
    primary = page.get_by_role("link", name="E-Mail-Adresse erstellen").first
    menu = page.locator("details.dropdown").first
    menu.locator("summary").click()
    items = menu.locator("ul")
    items.wait_for()
    page.wait_for_timeout(300)  # let the menu settle before measuring it
    box = _union(
        primary.bounding_box(), menu.locator("summary").bounding_box(), items.bounding_box()
    )
    page.screenshot(path=str(path), clip=box, full_page=True)


def shot_client_settings(page, base: str, path: Path) -> None:
    """The «Einstellungen für Mailprogramme» card of an address."""
    _service_page(page, base)
    page.locator("table a[href^='/addresses/']").first.click()
    page.wait_for_load_state("networkidle")
    page.locator(".card", has_text="Einstellungen für Mailprogramme").first.screenshot(
        path=str(path)
    )


SHOTS = {
    "maildienst-kopf": shot_service_head,
    "generische-adresse-menue": shot_generic_menu,
    "adresse-einstellungen": shot_client_settings,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="de-CH", viewport={"width": 1100, "height": 800})
        page = context.new_page()
        page.goto(f"{args.base_url}/accounts/login/")
        page.fill("input[name=login]", DEMO_LOGIN[0])
        page.fill("input[name=password]", DEMO_LOGIN[1])
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        for name, take in SHOTS.items():
            take(page, args.base_url, OUT / f"{name}.png")
            print(f"{name}.png  <- {page.url}")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
