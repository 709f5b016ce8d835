"""Knowledge-base search latency on PostgreSQL: p50/p95 per language over 1,500 guides each.

Usage:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal .venv/bin/python bench/kb_search.py

Creates a throwaway test database (test_<name>, dropped at the end), loads the real guides
(German, English, French, Italian), measures a baseline over them, then adds generated guides
(for this benchmark only) up to 1,500 per language (6,000 in all) and measures again, each
language with its own questions. Generated guides reuse sentences of the real ones of their
language in random order, so vocabulary and lengths are realistic. Each query is timed end to
end through `kb.search.search_guides` (typo correction + ranking + snippets).
Target: p95 < 20 ms in each language.
"""

import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402

GUIDES_PER_LANGUAGE = 1500
ROUNDS = 5
QUERIES = {
    "de": [
        "Passwort vergessen", "Outlook einrichten", "Wie richte ich mein iPhone ein?",
        "Thunderbird", "catchall", "automatische Antwort in den Ferien", "Postfach voll",
        "wie viele Mails darf ich pro Tag senden", "MX Eintrag", "SPF record", "DKIM",
        "WordPress Kontaktformular sendet keine Mails", "Phishing melden", "Konto gehackt",
        "554 5.7.0 AV: Message is rejected by headers rule filter.. Please check the message "
        "and try again",
        "Spam Message Rejected", "Could not instantiate mail function",
        "535 Authentication failed", "outlok einrichten", "thunderbrid", "abwesenheitsnotitz",
        "pasword vergesen", "abwes", "message rejected as spam", "eml Datei herunterladen",
        "zweite Domain hinzufügen",
    ],
    "en": ["forgot password", "out of office reply", "set up iphone", "mailbox full",
           "catch-all address", "change mail password", "report phishing", "wordpress smtp",
           "thunderbrid", "how many emails can I send per day"],
    "fr": [
        "mot de passe oublié", "configurer Outlook", "comment configurer mon iPhone",
        "adresse catch-all", "répondeur automatique pendant les vacances",
        "limite d'envoi atteinte", "enregistrement MX", "signaler un phishing", "compte piraté",
        "reponse d'absence", "thunderbrid", "hameconage", "numero de port IMAP",
        "Spam Message Rejected", "554 5.7.0 AV: Message is rejected by headers rule filter",
    ],
    "it": [
        "password dimenticata", "configurare Outlook", "come configuro il mio iPhone",
        "indirizzo catch-all", "risponditore automatico durante le vacanze",
        "limite di invio raggiunto", "record MX", "segnalare phishing",
        "cambiare la password della posta", "perche il messaggio e stato rifiutato",
        "thunderbrid", "autenticazione a due fatori", "554 5.7.0 Spam Message Rejected",
    ],
}  # fmt: skip


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


def measure(label: str) -> dict[str, dict[str, float]]:
    """p50/p95/p99/max per language over ROUNDS passes of that language's questions."""
    from kb.models import Guide
    from kb.search import search_guides

    for language, queries in QUERIES.items():  # warm caches and the connection
        for query in queries:
            search_guides(query, language=language)
    results = {}
    for language, queries in QUERIES.items():
        timings, per_query = [], {}
        for _ in range(ROUNDS):
            for query in queries:
                start = time.perf_counter()
                search_guides(query, language=language)
                elapsed = (time.perf_counter() - start) * 1000
                timings.append(elapsed)
                per_query.setdefault(query, []).append(elapsed)
        figures = {
            "guides": Guide.objects.filter(language=language).count(),
            "queries": len(timings),
            "p50": statistics.median(timings),
            "p95": percentile(timings, 95),
            "p99": percentile(timings, 99),
            "max": max(timings),
        }
        results[language] = figures
        print(
            f"{label:<9} {language}  guides={figures['guides']:>5}  queries={figures['queries']}"
            f"  p50={figures['p50']:.2f} ms  p95={figures['p95']:.2f} ms"
            f"  p99={figures['p99']:.2f} ms  max={figures['max']:.2f} ms"
        )
        slowest = sorted(per_query.items(), key=lambda item: -statistics.median(item[1]))[:2]
        print("              slowest (median): " + "; ".join(
            f"{q[:28]!r} {statistics.median(t):.1f} ms" for q, t in slowest
        ))  # fmt: skip
    return results


def generate(language: str, count: int) -> None:
    """Extra guides of one language built from that language's real sentences, titles and
    tags, reshuffled; each as long as a randomly chosen real guide of the language."""
    from kb.models import Category, Guide

    rng = random.Random(f"20261206-{language}")
    real = list(Guide.objects.filter(language=language))
    sentences = [s.strip() + "." for g in real for s in g.body_text.split(". ") if len(s) > 20]
    lengths = [len(g.body_text) for g in real]
    title_words = [w for g in real for w in g.title.split() if len(w) > 3]
    tags = [t for g in real for t in g.tags]
    categories = list(Category.objects.all())
    new = []
    for index in range(count):
        title = " ".join(rng.sample(title_words, 5))
        target, parts = rng.choice(lengths), []
        while sum(len(p) for p in parts) < target:
            parts.append(rng.choice(sentences))
        body = " ".join(parts)
        new.append(
            Guide(
                slug=f"bench-{index}",
                language=language,
                title=title[:200],
                summary=" ".join(rng.sample(sentences, 2))[:400],
                category=rng.choice(categories),
                tags=rng.sample(tags, min(6, len(tags))),
                body=body,
                body_html=f"<p>{body}</p>",
                body_text=body,
                updated="2026-11-01",
            )
        )
    Guide.objects.bulk_create(new, batch_size=500)


def main() -> int:
    if connection.vendor != "postgresql":
        print("This benchmark needs PostgreSQL: set DATABASE_URL=postgres://…", file=sys.stderr)
        return 2
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        from kb.models import Guide
        from kb.services import guides_load, search_index_refresh

        guides_load()
        baseline = measure("baseline")
        start = time.perf_counter()
        for language in QUERIES:
            have = Guide.objects.filter(language=language).count()
            generate(language, GUIDES_PER_LANGUAGE - have)
        search_index_refresh()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE kb_guide; ANALYZE kb_searchterm")
        print(
            f"generated and indexed up to {GUIDES_PER_LANGUAGE} guides per language "
            f"({Guide.objects.count()} in all) in {time.perf_counter() - start:.1f} s"
        )
        full = measure("1500/lang")
        for language, figures in full.items():
            base = baseline[language]
            print(
                f"{language}: ratio p50 {figures['p50'] / base['p50']:.2f}x, "
                f"p95 {figures['p95'] / base['p95']:.2f}x against the baseline; "
                f"target p95 < 20 ms: {'met' if figures['p95'] < 20 else 'NOT met'}"
            )
    finally:
        teardown_databases(old_config, verbosity=0)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
