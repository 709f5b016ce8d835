"""The message check's cost: messages per second over typical messages, and archive bombs.

1. Generates a corpus of typical messages (plain text, HTML with links, PDF and Office
   attachments, zipped documents, tar.gz backups; German, English, French) and runs the full
   rule engine on each (SPF off: it is a DNS lookup, not engine work). Prints messages/s and
   the ratio against a baseline in the same process: parsing and walking the same messages
   with the standard library only (what any check must at least do).
2. Generates a 42.zip-style bomb (5 levels of 16 zips, 4 GiB of zeros in each bottom file:
   16**5 * 4 GiB = 4 PiB when fully unpacked) and single-layer and tar.gz bombs, attaches each
   to a message and measures the check's wall time and peak memory (tracemalloc, and the
   process's peak RSS growth). Target: under 1 s and under 100 MB each.

Run: .venv/bin/python bench/message_check.py [--messages 400]
"""

from __future__ import annotations

import argparse
import email
import gc
import os
import random
import resource
import sys
import time
import tracemalloc
from email import policy
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")

import django  # noqa: E402

django.setup()

from messagetools.engine import check_message  # noqa: E402
from tests.messagetools import builders as b  # noqa: E402

MiB = 1024 * 1024
_TEXTS = {
    "de": "Guten Tag Offerte Rechnung Termin Sitzung Protokoll Anhang Grüsse Projekt Zürich "
    "Lieferung Bestellung bitte danke Woche Montag Budget Entwurf Vertrag",
    "en": "Hello meeting invoice schedule report attached regards project delivery order "
    "please thanks week Monday budget draft contract review notes",
    "fr": "Bonjour réunion facture rendez-vous procès-verbal pièce jointe salutations projet "
    "livraison commande merci semaine lundi budget contrat",
}
WORDS = {lang: text.split(" ") for lang, text in _TEXTS.items()}


def sentence(rng, lang, n=12):
    return " ".join(rng.choice(WORDS[lang]) for _ in range(n)).capitalize() + "."


def typical_message(rng: random.Random, index: int) -> bytes:
    lang = rng.choice(["de", "de", "en", "fr"])
    text = "\n\n".join(sentence(rng, lang, rng.randint(8, 30)) for _ in range(rng.randint(2, 8)))
    kind = index % 5
    html = None
    attachments = []
    if kind in (1, 3):
        links = "".join(
            f'<p>{sentence(rng, lang)} <a href="https://www.firma{rng.randint(1, 50)}.ch/'
            f'seite/{i}">www.firma{i}.ch</a></p>'
            for i in range(rng.randint(2, 12))
        )
        html = f"<html><body>{links}<p>{text}</p></body></html>"
    if kind == 2:
        attachments.append(
            ("offerte.pdf", b"%PDF-1.7\n" + rng.randbytes(rng.randint(20_000, 300_000)))
        )
    if kind == 3:
        docs = {f"dokumente/{i}.docx": rng.randbytes(rng.randint(5_000, 60_000)) for i in range(5)}
        attachments.append(("unterlagen.zip", b.zip_bytes(docs)))
    if kind == 4:
        log = ("\n".join(sentence(rng, "en") for _ in range(2000))).encode()
        attachments.append(("backup.tar.gz", b.gzip_bytes(b.tar_bytes({"log/app.log": log}))))
    return b.message(
        subject=sentence(rng, lang, 5),
        text=text,
        html=html,
        attachments=attachments,
    )


def baseline(data: bytes) -> None:
    """The least any check does: parse the message (same parser and policy as the engine)
    and decode every part."""
    message = email.message_from_bytes(data, policy=policy.compat32)
    for part in message.walk():
        if not part.is_multipart():
            part.get_payload(decode=True)


def rate(function, corpus, repeat=2):
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for data in corpus:
            function(data)
        best = min(best, time.perf_counter() - started)
    return len(corpus) / best


def measure_bomb(label: str, archive: bytes, name: str) -> tuple[str, float, float, float, str]:
    """Wall time of a plain run; then peak memory of a second run under tracemalloc (which
    slows allocation, so the two are measured apart)."""
    message = b.message(attachments=[(name, archive)])
    gc.collect()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    report = check_message(message)
    elapsed = time.perf_counter() - started
    rss_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - rss_before
    gc.collect()
    tracemalloc.start()
    check_message(message)
    peak = tracemalloc.get_traced_memory()[1] / MiB
    tracemalloc.stop()
    codes = ",".join(sorted({f.code for f in report.findings}))
    return label, elapsed, peak, rss_growth, f"{report.verdict} ({codes})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=400)
    args = parser.parse_args()

    rng = random.Random(42)
    corpus = [typical_message(rng, i) for i in range(args.messages)]
    size = sum(map(len, corpus)) / len(corpus) / 1024
    for data in corpus[:5]:
        check_message(data)  # warm up (public suffix list, regexes)
    engine_rate = rate(check_message, corpus)
    base_rate = rate(baseline, corpus)
    print(f"Typical messages: {len(corpus)} generated, mean size {size:.0f} KiB")
    print(f"  rule engine      {engine_rate:8.0f} messages/s")
    print(f"  baseline (parse) {base_rate:8.0f} messages/s  (stdlib parse + decode only)")
    print(f"  ratio            {engine_rate / base_rate:8.2f} x baseline speed")

    started = time.perf_counter()
    bomb = b.nested_zip_bomb(levels=5, width=16, inner_size=4096 * MiB)
    built = time.perf_counter() - started
    print(f"\n42.zip-style bomb: {len(bomb) / 1024:.1f} KiB, 16^5 bottom files x 4 GiB "
          f"= {16**5 * 4 / 1024**2:.0f} PiB unpacked (built in {built:.1f} s)")  # fmt: skip
    rows = [
        measure_bomb("42.zip style (5 x 16 levels)", bomb, "42.zip"),
        measure_bomb(
            "one zip, 4 GiB of zeros",
            b.nested_zip_bomb(levels=0, inner_size=4096 * MiB),
            "gross.zip",
        ),
        measure_bomb(
            "tar.gz, 1 GiB of zeros",
            b.gzip_bytes(b.tar_bytes({"null.img": bytes(64 * MiB)}) * 16),
            "backup.tar.gz",
        ),
    ]
    typical = corpus[3]
    rows.append(measure_bomb("reference: typical zip", b.zip_bytes({"a.txt": typical}), "a.zip"))
    print(f"\n{'case':34} {'time s':>8} {'peak MiB':>9} {'RSS +MiB':>9}  verdict")
    for label, elapsed, peak, rss, verdict in rows:
        print(f"{label:34} {elapsed:8.3f} {peak:9.1f} {rss:9.1f}  {verdict}")
    worst_time = max(r[1] for r in rows)
    worst_peak = max(r[2] for r in rows)
    ok = worst_time < 1.0 and worst_peak < 100
    print(f"\nTarget < 1 s and < 100 MB per bomb: {'met' if ok else 'NOT met'} "
          f"(worst {worst_time:.3f} s, {worst_peak:.1f} MiB traced)")  # fmt: skip


if __name__ == "__main__":
    main()
