"""Fixtures of the i18n tests: a customer with a service, addresses and an order, and a
detector for German text left on a page rendered in another language."""

import importlib
import re
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.apps import apps
from django.conf import settings
from django.utils import timezone

from mailservices.services.addresses import address_create, catchall_create, responder_save
from portal.shop.models import Product
from portal.shop.selectors import cart_summary
from portal.shop.services import BillingAddress, cart_add_service, order_place

BILLING = BillingAddress(
    name="Anne Exemple",
    street="Rue du Lac",
    house_number="5",
    postcode="1003",
    town="Lausanne",
    country="CH",
)
_catalogue = importlib.import_module("portal.shop.migrations.0002_catalogue")


@pytest.fixture
def catalogue(db):
    if not Product.objects.exists():  # a transactional test elsewhere may have emptied it
        _catalogue.load(apps, None)


@pytest.fixture
def place_order(catalogue):
    def place(customer, domain: str, plan_code: str = "service-mail-starter"):
        cart_add_service(
            customer=customer,
            domain_name=domain,
            plan_product=Product.objects.get(code=plan_code),
            register_domain=True,
        )
        return order_place(
            customer=customer,
            token=cart_summary(customer=customer).token,
            billing=BILLING,
            accept_terms=True,
        )

    return place


@pytest.fixture
def portfolio(customer, make_service, place_order):
    """What a customer has after a while: a paid service with addresses, an order."""
    service = make_service(customer, "lac-leman.ch", plan="service_mail")
    mailbox = address_create(service=service, local_part="info", password="x" * 4 + "Lac2026!ok")
    address_create(service=service, local_part="ventes", kind="redirect", forward_to=["a@b.ch"])
    catchall_create(service=service, password="y" * 4 + "Lac2026!ok", confirmed=True)
    responder_save(
        address=mailbox,
        enabled=True,
        subject="Absent",
        body="...",
        starts_at=timezone.now(),
        ends_at=None,
        interval_days=3,
    )
    order = place_order(customer, "boulangerie-exemple.ch")
    return {"service": service, "address": mailbox, "order": order}


# --- German leftovers ---------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"%\(|%[sd]|\{\{|\{%|<|\n")
_GERMAN_WORDS = re.compile(
    r"\b(und|nicht|Sie|Ihre[mnrs]?|Ihr|Ihnen|werden|wird|wurde|oder|für|Bitte|bitte|keine[nm]?"
    r"|können|müssen|Adressen|Einstellungen|Übersicht|Anleitung|Nachricht|Passwort)\b"
)


def german_texts(language: str) -> list[re.Pattern]:
    """German msgids whose `language` translation differs, as whole-phrase patterns.

    A msgid that is also a translation in `language` ("Phishing", "Service") is no sign."""
    entries = []
    base = Path(settings.BASE_DIR)
    for path in base.rglob(f"locale/{language}/LC_MESSAGES/django.po"):
        if ".venv" not in path.parts:
            entries += polib.pofile(str(path)).translated_entries()
    translations = {e.msgstr.strip().lower() for e in entries}
    texts = set()
    for entry in entries:
        msgid = entry.msgid.strip()
        if entry.msgid_plural or _PLACEHOLDER.search(msgid) or len(msgid) < 6:
            continue
        if " " not in msgid and len(msgid) < 12 and not re.search("[äöüß]", msgid):
            continue  # a short single word ("System", "Catchall") is too often international
        if msgid.lower() != entry.msgstr.strip().lower() and msgid.lower() not in translations:
            texts.add(msgid)
    return [re.compile(rf"(?<!\w){re.escape(t)}(?!\w)") for t in sorted(texts)]


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


class _VisibleText(HTMLParser):
    """Text a reader sees or hears: data, plus title/aria-label/placeholder/alt attributes.

    Left out: scripts, styles, the language switch (language names are endonyms) and
    elements marked in another language (`lang="de"` on a guide only written in German)."""

    ATTRIBUTES = {"title", "aria-label", "placeholder", "alt"}

    def __init__(self, language: str):
        super().__init__(convert_charrefs=True)
        self.language = language
        self.parts: list[str] = []
        self._skip_depth = 0

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            if not self._skip_depth:
                self.parts.extend(v for k, v in attrs if k in self.ATTRIBUTES and v)
            return
        if self._skip_depth:
            self._skip_depth += 1
            return
        values = dict(attrs)
        other_language = values.get("lang") not in (None, "", self.language)
        if (
            tag in ("script", "style")
            or other_language
            or "lang-switch" in (values.get("class") or "")
        ):
            self._skip_depth = 1
            return
        self.parts.extend(v for k, v in attrs if k in self.ATTRIBUTES and v)

    def handle_endtag(self, tag):
        if self._skip_depth and tag not in VOID:
            self._skip_depth -= 1

    def handle_data(self, data):
        if not self._skip_depth and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str, language: str) -> str:
    parser = _VisibleText(language)
    parser.feed(html)
    return " | ".join(parser.parts)


@pytest.fixture(scope="session")
def german_leftovers():
    """`german_leftovers(html, language)` -> the German phrases found on the page."""
    cache: dict[str, list[re.Pattern]] = {}

    def find(html: str, language: str) -> list[str]:
        if language not in cache:
            cache[language] = german_texts(language)
        text = visible_text(html, language)
        matches = [m for p in cache[language] for m in [p.search(text)] if m]
        matches += list(_GERMAN_WORDS.finditer(text))
        return sorted(
            {f"{m.group(0)!r} in …{text[max(0, m.start() - 40) : m.end() + 40]}…" for m in matches}
        )

    return find
