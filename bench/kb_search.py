"""Knowledge-base search latency on PostgreSQL: p50/p95 over 1,500 guides.

Usage:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal .venv/bin/python bench/kb_search.py

Creates a throwaway test database (test_<name>, dropped at the end), loads the real guides,
measures a baseline over them, then adds generated guides (for this benchmark only) up to
1,500 and measures again. Generated guides reuse sentences of the real ones in random order,
so vocabulary and lengths are realistic. Each query is timed end to end through
`kb.search.search_guides` (typo correction + ranking + snippets). Target: p95 < 20 ms.
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

TOTAL_GUIDES = 1500
ROUNDS = 5
QUERIES = [
    "Passwort vergessen", "Outlook einrichten", "Wie richte ich mein iPhone ein?",
    "Thunderbird", "catchall", "automatische Antwort in den Ferien", "Postfach voll",
    "wie viele Mails darf ich pro Tag senden", "MX Eintrag", "SPF record", "DKIM",
    "WordPress Kontaktformular sendet keine Mails", "Phishing melden", "Konto gehackt",
    "554 5.7.0 AV: Message is rejected by headers rule filter.. Please check the message "
    "and try again",
    "Spam Message Rejected", "Could not instantiate mail function", "535 Authentication failed",
    "outlok einrichten", "thunderbrid", "abwesenheitsnotitz", "pasword vergesen", "abwes",
    "forgot password", "out of office reply", "set up iphone", "mailbox full",
    "message rejected as spam", "eml Datei herunterladen", "zweite Domain hinzufügen",
]  # fmt: skip


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


def measure(label: str) -> dict[str, float]:
    from kb.models import Guide
    from kb.search import search_guides

    for query in QUERIES:  # warm caches and the connection
        search_guides(query, language="de")
    timings, per_query = [], {}
    for _ in range(ROUNDS):
        for query in QUERIES:
            lang = "en" if query.isascii() and query.lower() == query else "de"
            start = time.perf_counter()
            search_guides(query, language=lang)
            elapsed = (time.perf_counter() - start) * 1000
            timings.append(elapsed)
            per_query.setdefault(query, []).append(elapsed)
    figures = {
        "guides": Guide.objects.count(),
        "queries": len(timings),
        "p50": statistics.median(timings),
        "p95": percentile(timings, 95),
        "p99": percentile(timings, 99),
        "max": max(timings),
    }
    print(
        f"{label:<10} guides={figures['guides']:>5}  queries={figures['queries']}  "
        f"p50={figures['p50']:.2f} ms  p95={figures['p95']:.2f} ms  "
        f"p99={figures['p99']:.2f} ms  max={figures['max']:.2f} ms"
    )
    slowest = sorted(per_query.items(), key=lambda item: -statistics.median(item[1]))[:3]
    print("           slowest (median): " + "; ".join(
        f"{q[:28]!r} {statistics.median(t):.1f} ms" for q, t in slowest
    ))  # fmt: skip
    return figures


def generate(count: int) -> None:
    """Extra guides built from the real ones' sentences, titles and tags, reshuffled; each as
    long as a randomly chosen real guide, so sizes follow the real distribution."""
    from kb.models import Category, Guide
    from kb.services import search_index_refresh

    rng = random.Random(20261127)
    real = list(Guide.objects.all())
    sentences = [s.strip() + "." for g in real for s in g.body_text.split(". ") if len(s) > 20]
    lengths = [len(g.body_text) for g in real]
    title_words = [w for g in real for w in g.title.split() if len(w) > 3]
    tags = [t for g in real for t in g.tags]
    categories = list(Category.objects.all())
    new = []
    for index in range(count):
        language = "de" if index % 4 else "en"
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
                tags=rng.sample(tags, 6),
                body=body,
                body_html=f"<p>{body}</p>",
                body_text=body,
                updated="2026-11-01",
            )
        )
    Guide.objects.bulk_create(new, batch_size=500)
    start = time.perf_counter()
    search_index_refresh()
    print(f"indexed {count} generated guides in {time.perf_counter() - start:.1f} s")


def main() -> int:
    if connection.vendor != "postgresql":
        print("This benchmark needs PostgreSQL: set DATABASE_URL=postgres://…", file=sys.stderr)
        return 2
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        from kb.models import Guide
        from kb.services import guides_load

        guides_load()
        baseline = measure("baseline")
        generate(TOTAL_GUIDES - Guide.objects.count())
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE kb_guide; ANALYZE kb_searchterm")
        full = measure("1500")
        print(
            f"ratio p50 {full['p50'] / baseline['p50']:.2f}x, "
            f"p95 {full['p95'] / baseline['p95']:.2f}x against the baseline; "
            f"target p95 < 20 ms: {'met' if full['p95'] < 20 else 'NOT met'}"
        )
    finally:
        teardown_databases(old_config, verbosity=0)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
