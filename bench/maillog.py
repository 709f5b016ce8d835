# ruff: noqa: E501 - the generated log lines are long on purpose
"""The delivery log: parser and follower throughput against pflogsumm, and the customer's page.

1. Generates a Postfix log of N lines (default 1 million: deliveries to remote servers and
   to Dovecot over LMTP, deferrals then success, bounces, NOQUEUE rejects incl. our own
   sending-limit deferrals, postscreen/connect noise), traditional timestamps.
2. Parser: `MaillogParser` over the file, lines/s (the same code `maillog_parse` runs).
3. pflogsumm (Debian) on the same file in the same run: lines/s, and the ratio.
4. Follower: `maillog_follow --once` into PostgreSQL (rows + position per batch, one
   transaction each), lines/s.
5. The customer's log page with R rows in the table (default 10 million, bulk-inserted in
   SQL: 30 days, 20,000 addresses, one busy address with 1 % of all rows): p95 of the page
   (Django test client, full view and template) over filters and pages.

Needs DATABASE_URL pointing at a PostgreSQL database the bench may fill (its maillog tables
are emptied first). Usage:
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/l15 .venv/bin/python bench/maillog.py \
      [--lines 1000000] [--rows 10000000] [--requests 200]
"""

import argparse
import html
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def _stamp(t: datetime) -> str:
    return f"{MONTHS[t.month - 1]} {t.day:2d} {t:%H:%M:%S}"


def generate_log(path: Path, lines: int, *, seed: int = 7) -> int:
    """A realistic mix; returns the number of lines written."""
    rng = random.Random(seed)
    t = datetime(2026, 12, 5, 0, 0, tzinfo=UTC)
    out = []
    written = 0
    n = 0
    pid = 1000
    while written < lines:
        n += 1
        t += timedelta(milliseconds=rng.randint(5, 60))
        s = _stamp(t)
        qid = f"{n:012X}"[-11:] if n % 3 else f"4Q{n:010x}z{n % 97:02d}"
        pid = 1000 + n % 400
        kind = rng.random()
        sender = f"user{rng.randint(1, 20000)}@kunde{rng.randint(1, 4000)}.ch"
        if kind < 0.06:  # refused before queueing
            if rng.random() < 0.3:
                reply = (
                    "450 4.7.1 <liste@verein.example>: Recipient address rejected: Sending "
                    f"limit reached (Versandlimit erreicht): {sender} may send to at most 100 "
                    "recipients within 24 hours. Details: https://portal.example/usage/"
                )
                rcpt = "liste@verein.example"
            else:
                rcpt = f"nobody{n}@kunde{rng.randint(1, 4000)}.ch"
                reply = (
                    f"550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown in virtual "
                    "mailbox table"
                )
            out.append(f"{s} mx1 postfix/smtpd[{pid}]: connect from unknown[203.0.113.{n % 250}]")
            out.append(
                f"{s} mx1 postfix/smtpd[{pid}]: NOQUEUE: reject: RCPT from "
                f"unknown[203.0.113.{n % 250}]: {reply}; from=<{sender}> to=<{rcpt}> "
                "proto=ESMTP helo=<client.example>"
            )
            out.append(
                f"{s} mx1 postfix/smtpd[{pid}]: disconnect from unknown[203.0.113.{n % 250}] "
                "ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4"
            )
            written += 3
            continue
        outgoing = kind < 0.55
        out.append(
            f"{s} mx1 postfix/smtpd[{pid}]: connect from pc{n % 900}.example[198.51.100.{n % 250}]"
        )
        if outgoing:
            out.append(
                f"{s} mx1 postfix/submissions/smtpd[{pid}]: {qid}: client=pc{n % 900}.example"
                f"[198.51.100.{n % 250}], sasl_method=PLAIN, sasl_username={sender}"
            )
        else:
            out.append(
                f"{s} mx1 postfix/smtpd[{pid}]: {qid}: client=mail.remote{n % 50}.example[192.0.2.{n % 250}]"
            )
        out.append(
            f"{s} mx1 postfix/cleanup[{pid + 1}]: {qid}: message-id=<{n}.{qid}@mail.example>"
        )
        out.append(
            f"{s} mx1 postfix/qmgr[99]: {qid}: from=<{sender}>, size={rng.randint(900, 90000)}, nrcpt=1 (queue active)"
        )
        out.append(
            f"{s} mx1 postfix/smtpd[{pid}]: disconnect from pc{n % 900}.example[198.51.100.{n % 250}] ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5"
        )
        written += 5
        if outgoing:
            rcpt = f"kontakt{rng.randint(1, 99999)}@remote{n % 300}.example"
            relay = f"mx.remote{n % 300}.example[192.0.2.{n % 250}]:25"
            fate = rng.random()
            if fate < 0.08:
                out.append(
                    f"{s} mx1 postfix/smtp[{pid + 2}]: {qid}: to=<{rcpt}>, relay={relay}, delay=1.1, "
                    "delays=0.1/0/0.5/0.5, dsn=4.7.1, status=deferred (host said: 450 4.7.1 "
                    "Greylisted, please try again later (in reply to RCPT TO command))"
                )
                written += 1
            if fate < 0.05:
                out.append(
                    f"{s} mx1 postfix/smtp[{pid + 2}]: {qid}: to=<{rcpt}>, relay={relay}, delay=1.2, "
                    "delays=0.1/0/0.5/0.6, dsn=5.1.1, status=bounced (host said: 550 5.1.1 "
                    f"<{rcpt}>: Recipient address rejected: User unknown (in reply to RCPT TO command))"
                )
            else:
                out.append(
                    f"{s} mx1 postfix/smtp[{pid + 2}]: {qid}: to=<{rcpt}>, relay={relay}, delay=0.9, "
                    "delays=0.1/0/0.4/0.4, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as ABC)"
                )
        else:
            rcpt = f"user{rng.randint(1, 20000)}@kunde{rng.randint(1, 4000)}.ch"
            out.append(
                f"{s} mx1 postfix/lmtp[{pid + 3}]: {qid}: to=<{rcpt}>, relay=mail.example"
                "[private/dovecot-lmtp], delay=0.1, delays=0.05/0.01/0.01/0.03, dsn=2.0.0, "
                f"status=sent (250 2.0.0 <{rcpt}> Saved)"
            )
        out.append(f"{s} mx1 postfix/qmgr[99]: {qid}: removed")
        written += 2
        if len(out) > 50_000:
            with open(path, "a") as handle:
                handle.write("\n".join(out) + "\n")
            out = []
    with open(path, "a") as handle:
        handle.write("\n".join(out) + "\n")
    return sum(1 for _ in open(path))


def bench_parser(path: Path) -> tuple[float, int]:
    from zoneinfo import ZoneInfo

    from mailservices.maillog.parser import parse_lines

    started = time.perf_counter()
    with open(path) as lines:
        outcomes = parse_lines(
            lines, now=datetime(2026, 12, 31, tzinfo=UTC), tz=ZoneInfo("Europe/Zurich")
        )
    return time.perf_counter() - started, len(outcomes)


def bench_pflogsumm(path: Path) -> float | None:
    if shutil.which("pflogsumm") is None:
        return None
    started = time.perf_counter()
    subprocess.run(["pflogsumm", str(path)], capture_output=True, check=True)
    return time.perf_counter() - started


def bench_follower(path: Path) -> tuple[float, int]:
    from django.core.management import call_command

    from mailservices.maillog.models import Delivery, FollowPosition

    Delivery.objects.all().delete()
    FollowPosition.objects.all().delete()
    started = time.perf_counter()
    with open(os.devnull, "w") as quiet:
        call_command("maillog_follow", "--file", str(path), "--once", stdout=quiet)
    seconds = time.perf_counter() - started
    return seconds, Delivery.objects.count()


def fill_table(rows: int, busy_address: int, busy_service: int) -> float:
    """R rows straight in SQL (no Python per row); 1 % belong to the busy address."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE maillog_delivery")
        # Bulk load without the indexes, then build them (as a restore would): far faster
        # than maintaining eight indexes row by row.
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'maillog_delivery'::regclass AND contype = 'u'"
        )
        constraints = cursor.fetchall()
        for name, _definition in constraints:
            cursor.execute(f"ALTER TABLE maillog_delivery DROP CONSTRAINT {name}")
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'maillog_delivery' "
            "AND indexname NOT LIKE '%%_pkey'"
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
        cursor.execute(
            """
            INSERT INTO maillog_delivery (time, queued_at, queue_id, message_id, sender,
                sasl_login, recipient, orig_recipient, status, dsn, relay, reason, client,
                sender_address_id, sender_service_id, recipient_address_id, recipient_service_id)
            SELECT t, t, upper(to_hex(i)), i || '@bench.example',
                'user' || (i %% 20000) || '@kunde.ch', '', 'kontakt' || (i %% 99991) || '@remote.example',
                '', (ARRAY['sent','sent','sent','sent','sent','sent','deferred','bounced','rejected','sent'])[1 + (i / 7) %% 10],
                (ARRAY['2.0.0','2.0.0','2.0.0','2.0.0','2.0.0','2.0.0','4.7.1','5.1.1','5.1.1','2.0.0'])[1 + (i / 7) %% 10],
                'mx.remote.example[192.0.2.1]:25', '250 2.0.0 Ok: queued', '',
                CASE WHEN i %% 2 = 0 THEN (CASE WHEN i %% 100 = 0 THEN %s ELSE 1000000 + i %% 20000 END) END,
                CASE WHEN i %% 2 = 0 THEN (CASE WHEN i %% 100 = 0 THEN %s ELSE 1000000 + i %% 4000 END) END,
                CASE WHEN i %% 2 = 1 THEN (CASE WHEN i %% 100 = 1 THEN %s ELSE 1000000 + i %% 20000 END) END,
                CASE WHEN i %% 2 = 1 THEN (CASE WHEN i %% 100 = 1 THEN %s ELSE 1000000 + i %% 4000 END) END
            FROM (SELECT i, now() - (i * interval '30 days' / %s) AS t
                  FROM generate_series(1, %s) AS i) AS g
            """,
            [busy_address, busy_service, busy_address, busy_service, rows, rows],
        )
        for _name, definition in indexes:
            cursor.execute(definition)
        for name, definition in constraints:
            cursor.execute(f"ALTER TABLE maillog_delivery ADD CONSTRAINT {name} {definition}")
        cursor.execute("ANALYZE maillog_delivery")
    return time.perf_counter() - started


def bench_page(requests: int, rows: int) -> dict:
    from django.test import Client
    from django.urls import reverse

    from mailservices.services import domain_create, mailservice_create
    from mailservices.services.addresses import address_create
    from portal.accounts.models import User
    from portal.accounts.services import customer_create

    tag = f"{int(time.time())}"
    user = User.objects.create_user(email=f"bench-{tag}@example.org")
    customer = customer_create(owner=user)
    service = mailservice_create(
        domain=domain_create(customer=customer, name=f"bench-{tag}.ch"), plan="service_mail"
    )
    address = address_create(service=service, local_part="busy", password="Bench-Pass-2026!")
    fill_seconds = fill_table(rows, address.pk, service.pk)
    client = Client()
    client.force_login(user)
    url = reverse("maillog:address_log", args=[address.pk])
    service_url = reverse("maillog:service_log", args=[service.pk])
    variants = [
        {"direction": "out"},
        {"direction": "in"},
        {"direction": "out", "status": "bounced"},
        {"direction": "in", "status": "deferred"},
        {"direction": "out", "status": "problems"},
        {"direction": "out", "counterpart": "kontakt100@remote.example"},
        {"direction": "out", "counterpart": "kontakt12"},
        {"direction": "out", "date_from": (datetime.now() - timedelta(days=3)).date().isoformat()},
    ]
    times = []
    labels = []
    next_query = ""
    for i in range(requests):
        target = service_url if i % 5 == 4 else url
        if next_query and i % 3 == 2:
            label, query = "next page", next_query
        else:
            params = variants[i % len(variants)]
            label = ("service " if target == service_url else "") + str(params)
            query = "&".join(f"{k}={v}" for k, v in params.items())
        started = time.perf_counter()
        response = client.get(f"{target}?{query}")
        times.append(time.perf_counter() - started)
        labels.append(label)
        assert response.status_code == 200
        found = re.search(r'href="\?([^"]*before=[^"]*)"', response.content.decode())
        next_query = html.unescape(found.group(1)) if found else next_query
    by_label: dict[str, list[float]] = {}
    for label, seconds in zip(labels, times, strict=True):
        by_label.setdefault(label, []).append(seconds)
    for label, values in sorted(by_label.items()):
        print(
            f"  {label}: n={len(values)} median {statistics.median(values) * 1000:.1f} ms, "
            f"max {max(values) * 1000:.1f} ms"
        )
    times.sort()
    return {
        "fill_seconds": fill_seconds,
        "busy_rows": rows // 100,
        "p50": statistics.median(times),
        "p95": times[int(len(times) * 0.95) - 1],
        "max": times[-1],
    }


class _Skip(Exception):
    """--lines 0: only the page part."""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("bench/maillog.py needs DATABASE_URL=postgres://... (a database it may fill)")
    settings.DEBUG = False
    call_command("migrate", verbosity=0)

    workdir = Path(tempfile.mkdtemp(prefix="maillog-bench-"))
    try:
        if not args.lines:
            raise _Skip
        log = workdir / "mail.log"
        started = time.perf_counter()
        lines = generate_log(log, args.lines)
        print(
            f"log: {lines:,} lines, {log.stat().st_size / 1e6:.0f} MB "
            f"(generated in {time.perf_counter() - started:.1f} s)"
        )
        os.utime(log, (datetime(2026, 12, 31, tzinfo=UTC).timestamp(),) * 2)

        seconds, outcomes = bench_parser(log)
        parser_rate = lines / seconds
        print(f"parser:    {parser_rate:>10,.0f} lines/s  ({seconds:.2f} s, {outcomes:,} outcomes)")
        pfl = bench_pflogsumm(log)
        if pfl:
            pfl_rate = lines / pfl
            print(f"pflogsumm: {pfl_rate:>10,.0f} lines/s  ({pfl:.2f} s)")
            print(f"parser / pflogsumm = {parser_rate / pfl_rate:.2f}")
        seconds, rows = bench_follower(log)
        follower_rate = lines / seconds
        print(
            f"follower:  {follower_rate:>10,.0f} lines/s into PostgreSQL ({seconds:.2f} s, {rows:,} rows)"
        )
        if pfl:
            print(f"follower / pflogsumm = {follower_rate / pfl_rate:.2f}")
        print("targets: parser >= 100,000 lines/s, follower >= 20,000 lines/s")
    except _Skip:
        pass
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    if args.rows:
        page = bench_page(args.requests, args.rows)
        print(
            f"page with {args.rows:,} rows (filled in {page['fill_seconds']:.0f} s; busy address "
            f"{page['busy_rows']:,} rows): p50 {page['p50'] * 1000:.1f} ms, "
            f"p95 {page['p95'] * 1000:.1f} ms, max {page['max'] * 1000:.1f} ms "
            f"over {args.requests} requests (target p95 < 100 ms)"
        )


if __name__ == "__main__":
    main()
