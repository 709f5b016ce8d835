"""Takes screenshots of portal pages with Debian's chromium (for README, guides, reviews).

Usage: python scripts/screenshot.py BASE_URL OUT_DIR PATH [PATH ...]
       [--login EMAIL:PASSWORD] [--width 1280] [--lang de]
Each PATH becomes OUT_DIR/<path-with-dashes>.png (full page).
"""

import argparse
import re
from pathlib import Path

from playwright.sync_api import sync_playwright

ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("base_url")
    parser.add_argument("out_dir")
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--login")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--lang", default="de")
    args = parser.parse_args()
    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        context = browser.new_context(
            base_url=args.base_url,
            viewport={"width": args.width, "height": 900},
            locale="de-CH" if args.lang == "de" else "en-GB",
        )
        page = context.new_page()
        if args.login:
            email, password = args.login.split(":", 1)
            page.goto("/accounts/login/")
            page.fill("input[name=login]", email)
            page.fill("input[name=password]", password)
            page.click("form.allauth-form button[type=submit]")
            page.wait_for_load_state("networkidle")
        for path in args.paths:
            page.goto(path)
            page.wait_for_load_state("networkidle")
            name = re.sub(r"[^a-zA-Z0-9]+", "-", path).strip("-") or "root"
            target = out / f"{name}-{args.width}.png"
            page.screenshot(path=str(target), full_page=True)
            print(target)
        browser.close()


if __name__ == "__main__":
    main()
