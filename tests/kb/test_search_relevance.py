"""Relevance of the guide search with real customer queries against the real guides.

Each case: the query as people type it, the language of the portal, the guide(s) that answer
it, and how far down the answer may be. PostgreSQL runs every case; the SQLite fallback (no
stemming, no trigram index) runs the cases marked `sqlite=True`.
"""

from dataclasses import dataclass

import pytest
from django.db import connection

from kb.models import Category, Guide, GuideVote, SearchTerm
from kb.search import search_guides
from kb.services import guides_load
from tests.kb.conftest import postgres_or_skip

pytestmark = [pytest.mark.xdist_group("kb-relevance")]


@dataclass(frozen=True)
class Case:
    query: str
    expected: tuple[str, ...]
    top: int = 3
    lang: str = "de"
    sqlite: bool = True

    def __str__(self):
        return f"{self.lang}:{self.query}"


def case(query, *expected, top=3, lang="de", sqlite=True):
    return Case(query, expected, top, lang, sqlite)


OUTLOOK = ("outlook-2010", "outlook-2007", "outlook-mac")

CASES = [
    # Customer wording, German
    case("Passwort vergessen", "portal-passwort-vergessen"),
    case("Outlook einrichten", *OUTLOOK),
    case("Wie richte ich mein iPhone ein?", "iphone"),
    case("E-Mail auf dem Android Handy einrichten", "android"),
    case("Thunderbird", "thunderbird", top=2),  # and kontakte-kalender-thunderbird
    case("Apple Mail auf dem Mac", "apple-mail"),
    case("Outlook für Mac", "outlook-mac"),
    case("Outlook 2007", "outlook-2007", top=1),
    case("catchall", "catchall", top=1),
    case("Sammeladresse", "catchall"),
    case("automatische Antwort in den Ferien", "abwesenheitsnotiz"),
    case("Out of Office", "abwesenheitsnotiz"),
    case("wie viele Mails darf ich pro Tag senden", "versandlimits"),
    case("zählen Empfänger in BCC", "versandlimits"),
    case("Newsletter an viele Kunden verschicken", "newsletter-tool"),
    case("Postfach voll", "postfach-voll", top=1),
    case("E-Mail ist nicht angekommen", "nachricht-nicht-erhalten"),
    case("mehr Adressen kaufen", "adressen-kaufen"),
    case("zweite Domain hinzufügen", "weiterer-maildienst", "externe-domain"),
    case("MX Eintrag", "mx-eintrag"),
    case("SPF record", "spf-eintrag"),
    case("DKIM", "dkim-eintrag", top=1),
    case("DMARC", "dmarc-eintrag", top=2),  # and dmarc-berichte (the reports)
    case("Diagnose zeigt rot", "automatische-diagnose"),
    case("WordPress Kontaktformular sendet keine Mails", "wordpress-smtp"),
    case("Joomla SMTP", "joomla-smtp", top=1),
    case("PrestaShop Bestellbestätigung", "prestashop-smtp", top=1),
    case("eml Datei herunterladen", "eml-herunterladen"),
    case("Phishing melden", "phishing-melden", top=1),
    case("gefälschte E-Mail von meiner Bank", "phishing-melden"),
    case("Spamfilter ausschalten", "spamfilter-externe-warnung"),
    case("Warnung externe E-Mail", "spamfilter-externe-warnung"),
    case("exe Datei verschicken", "grosse-anhaenge", "spam-abgelehnt"),
    case("Konto gehackt", "konto-missbraucht"),
    case("Mailpasswort ändern", "mailpasswort-aendern", top=1),
    case("Passwort aendern", "mailpasswort-aendern", "portal-und-mailpasswort"),
    case("Rechnung als PDF", "rechnungen"),
    case("Zwei-Faktor", "zwei-faktor"),
    case("E-Mails vom alten Anbieter übernehmen", "mails-uebernehmen"),
    # Error messages pasted verbatim
    case(
        "554 5.7.0 AV: Message is rejected by headers rule filter.. "
        "Please check the message and try again",
        "spam-abgelehnt",
        top=1,
    ),
    case("Spam Message Rejected", "spam-abgelehnt", top=1),
    case("Could not instantiate mail function", "prestashop-smtp", top=1),
    case("535 Authentication failed", "mail-senden-fehler", "mailpasswort-testen"),
    case("mailbox full", "postfach-voll"),
    case("550 5.1.1 User unknown", "unzustellbar"),
    # Typos
    case("outlok einrichten", *OUTLOOK, sqlite=False),
    case("thunderbrid", "thunderbird", sqlite=False),
    case("abwesenheitsnotitz", "abwesenheitsnotiz", sqlite=False),
    case("catchal adresse", "catchall", sqlite=False),
    case("pasword vergesen", "portal-passwort-vergessen", sqlite=False),
    case("versandlimmit", "versandlimits", sqlite=False),
    # Typing in progress (live search)
    case("abwes", "abwesenheitsnotiz", sqlite=False),
    case("thunderb", "thunderbird", sqlite=False),
    # English portal
    case("forgot password", "portal-passwort-vergessen", lang="en"),
    case("out of office reply", "abwesenheitsnotiz", lang="en"),
    case("how many emails can I send per day", "versandlimits", lang="en"),
    case("set up iphone", "iphone", lang="en"),
    case("mailbox full", "postfach-voll", lang="en"),
    case("catch-all address", "catchall", lang="en"),
    case("change mail password", "mailpasswort-aendern", lang="en"),
    case("report phishing", "phishing-melden", lang="en"),
    case("wordpress smtp", "wordpress-smtp", lang="en"),
    # English words typed in the German portal
    case("message rejected as spam", "spam-abgelehnt", sqlite=False),
]

# The same kind of questions, as French- and Italian-speaking customers type them.
FR = [
    case("mot de passe oublié", "portal-passwort-vergessen", lang="fr"),
    case("configurer Outlook", *OUTLOOK, lang="fr"),
    case("comment configurer mon iPhone", "iphone", lang="fr"),
    case("configurer le natel Android", "android", lang="fr"),
    case("Thunderbird", "thunderbird", top=2, lang="fr"),
    case("adresse catch-all", "catchall", top=1, lang="fr"),
    case("répondeur automatique pendant les vacances", "abwesenheitsnotiz", lang="fr"),
    case("limite d'envoi atteinte", "versandlimits", lang="fr"),
    case("envoi de masse à nos clients", "newsletter-tool", lang="fr", sqlite=False),
    case("acheter des adresses supplémentaires", "adressen-kaufen", lang="fr"),
    case("enregistrement MX", "mx-eintrag", lang="fr"),
    case("DKIM", "dkim-eintrag", top=1, lang="fr"),
    case("signaler un phishing", "phishing-melden", top=1, lang="fr"),
    case("changer le mot de passe de messagerie", "mailpasswort-aendern", lang="fr"),
    case("facture en PDF", "rechnungen", lang="fr"),
    case("compte piraté", "konto-missbraucht", lang="fr"),
    case("l'e-mail n'est pas arrivé", "nachricht-nicht-erhalten", lang="fr"),
    case("Spam Message Rejected", "spam-abgelehnt", top=1, lang="fr"),
    # without accents, as typed on a keyboard without them, and with typos
    case("reponse d'absence", "abwesenheitsnotiz", lang="fr", sqlite=False),
    case("numero de port IMAP", "mailclient-einrichten", lang="fr", sqlite=False),
    case("thunderbrid", "thunderbird", lang="fr", sqlite=False),
    case("hameconage", "phishing-melden", lang="fr", sqlite=False),
]
IT = [
    case("password dimenticata", "portal-passwort-vergessen", lang="it"),
    case("configurare Outlook", *OUTLOOK, lang="it"),
    case("come configuro il mio iPhone", "iphone", lang="it"),
    case("configurare il telefonino Android", "android", lang="it"),
    case("Thunderbird", "thunderbird", top=2, lang="it"),
    case("indirizzo catch-all", "catchall", top=1, lang="it"),
    case("risponditore automatico durante le vacanze", "abwesenheitsnotiz", lang="it"),
    case("limite di invio raggiunto", "versandlimits", lang="it"),
    case("inviare una newsletter a molti clienti", "newsletter-tool", lang="it"),
    case("acquistare altri indirizzi", "adressen-kaufen", lang="it"),
    case("record MX", "mx-eintrag", lang="it"),
    case("DMARC", "dmarc-eintrag", top=2, lang="it"),
    case("segnalare phishing", "phishing-melden", top=1, lang="it"),
    case("cambiare la password della posta", "mailpasswort-aendern", lang="it"),
    case("fattura in PDF", "rechnungen", lang="it"),
    case("inoltro a un altro indirizzo", "weiterleitung-alias", lang="it"),
    case("l'e-mail non è arrivata", "nachricht-nicht-erhalten", lang="it"),
    case("554 5.7.0 Spam Message Rejected", "spam-abgelehnt", top=1, lang="it"),
    # without accents and with typos
    case(
        "perche il messaggio e stato rifiutato come spam", "spam-abgelehnt", lang="it", sqlite=False
    ),
    case("thunderbrid", "thunderbird", lang="it", sqlite=False),
    case("autenticazione a due fatori", "zwei-faktor", lang="it", sqlite=False),
]
CASES += FR + IT


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """The real guides, loaded once for this module (searching does not write)."""
    with django_db_blocker.unblock():
        guides_load()
    yield
    with django_db_blocker.unblock():
        GuideVote.objects.all().delete()
        Guide.objects.all().delete()
        Category.objects.all().delete()
        SearchTerm.objects.all().delete()


def test_there_are_at_least_forty_realistic_queries():
    assert len(CASES) >= 40
    assert sum(c.sqlite for c in CASES) >= 40


@pytest.mark.parametrize("c", CASES, ids=str)
def test_query_finds_the_guide(c, loaded, db):
    if not c.sqlite:
        postgres_or_skip()
    hits = search_guides(c.query, language=c.lang, limit=10)
    slugs = [h.slug for h in hits]
    assert set(slugs[: c.top]) & set(c.expected), f"{c.query!r}: got {slugs[:5]}"


def test_results_are_one_per_guide_and_titled_in_the_portal_language(loaded, db):
    hits = search_guides("catch-all", language="en")
    assert len({h.slug for h in hits}) == len(hits)
    top = hits[0]
    assert top.slug == "catchall"
    assert top.title.startswith("Catch-all address")
    german = search_guides("catchall", language="de")[0]
    assert german.title.startswith("Catchall-Adresse")


@pytest.mark.parametrize("language", ["en", "fr", "it"])
def test_a_german_only_guide_is_found_from_the_other_portals(loaded, db, language):
    # Every guide exists in every language today; take one away to see the German fallback.
    Guide.objects.filter(slug="joomla-smtp", language=language).update(is_published=False)
    hits = search_guides("Joomla", language=language)
    assert hits[0].slug == "joomla-smtp"
    assert hits[0].language == "de"


@pytest.mark.parametrize(
    ("language", "query", "title"),
    [
        ("fr", "catch-all", "Adresse catch-all"),
        ("it", "catch-all", "Indirizzo catch-all"),
    ],
)
def test_french_and_italian_results_are_titled_in_their_language(
    loaded, db, language, query, title
):
    hits = search_guides(query, language=language)
    assert hits[0].slug == "catchall"
    assert hits[0].language == language and hits[0].title.startswith(title)


def test_snippets_mark_the_matched_words_and_escape_the_rest(loaded, db):
    hits = search_guides("Versandlimit Empfänger", language="de")
    assert hits and "<mark>" in hits[0].snippet
    assert "<script" not in hits[0].snippet


def test_nonsense_finds_nothing(loaded, db):
    assert search_guides("xqzvw kplmnt", language="de") == []
    assert search_guides("   ", language="de") == []
    assert search_guides("!!! ???", language="de") == []


def test_search_costs_a_fixed_number_of_queries(loaded, db, django_assert_max_num_queries):
    # PostgreSQL: typo lookup, SET LOCAL and the search (+ savepoint and release inside the
    # test's transaction); SQLite: vocabulary and guides.
    limit = 5 if connection.vendor == "postgresql" else 2
    with django_assert_max_num_queries(limit):
        search_guides("outlok passwort ändern", language="de")
