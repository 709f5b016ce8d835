"""Hosted DNS served for real: our PowerDNS set-up against nsd with zone files, same zones.

Creates a scratch PostgreSQL database (from DATABASE_URL's server, dropped at the end) with
N hosted zones (default 10,000: the mail records a new registered domain gets, plus a web
record each), then
  1. serves them with PowerDNS (gpgsql, the pdns.conf of `dnsserver_config`, every cache
     off so an edit is answered at once), and with nsd from BIND-style zone files written
     from the very rows PowerDNS serves (same names, same answers);
  2. sends both the same questions (90 % existing names of random zones, 10 % names that
     do not exist) from one client process keeping --window questions in flight, and
     prints queries/s, p50/p99 latency and the ratio;
  3. measures edit-to-answer: a record changed in the portal's database until PowerDNS
     answers the new value (nsd would need a zone file rewrite and a reload).
The client is Python: when nsd's figure is close to the client's own ceiling, the ratio
says "at least this much faster", not "exactly". Run:
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/dns_serve.py
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")

import django  # noqa: E402

django.setup()

import dns.message  # noqa: E402
import dns.rcode  # noqa: E402
from django.db import connection  # noqa: E402

from mailservices.hosteddns import server  # noqa: E402
from tests.diagnosis.nsd import NsdServer, nsd_available  # noqa: E402
from tests.hosteddns.harness import PowerDns, missing_binaries  # noqa: E402

DKIM_KEY = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA" + "Q" * 348 + "IDAQAB"


def make_zones(count: int) -> list[str]:
    """N registered domains with their mail records (bulk, straight through the ORM)."""
    from dataclasses import replace

    from mailservices.diagnosis.checks import ProviderFacts
    from mailservices.hosteddns.services import zone_defaults_sync
    from mailservices.models import Domain
    from mailservices.provisioning.models import ZoneRecord
    from mailservices.provisioning.zone import mail_records, relative_name
    from portal.accounts.models import User
    from portal.accounts.services import customer_create

    zone_defaults_sync()
    customer = customer_create(owner=User.objects.create_user(email="bench@example.org"))
    names = [f"zone{i:05d}.bench" for i in range(count)]
    Domain.objects.bulk_create(
        [Domain(customer=customer, name=n, source="registered") for n in names], batch_size=2000
    )
    provider = replace(ProviderFacts.from_settings(), dkim_selector="alp2026")
    rows = []
    for domain in Domain.objects.filter(name__endswith=".bench"):
        for record in mail_records(domain.name, provider, DKIM_KEY):
            rows.append(
                ZoneRecord(
                    domain=domain,
                    name=relative_name(record.name, domain.name),
                    type=record.type,
                    value=record.value,
                    ttl=3600,
                    managed=True,
                )
            )
        rows.append(ZoneRecord(domain=domain, name="www", type="A", value="192.0.2.80"))
        if len(rows) > 20000:
            ZoneRecord.objects.bulk_create(rows)
            rows = []
    ZoneRecord.objects.bulk_create(rows)
    return names


def write_zone_files(directory: Path) -> dict[str, Path]:
    """Zone files from exactly what PowerDNS serves (the pdns.records view)."""
    directory.mkdir(parents=True, exist_ok=True)
    zones: dict[str, list[str]] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT d.name, r.name, r.type, r.content, r.ttl, r.prio FROM pdns.records r "
            "JOIN pdns.domains d ON d.id = r.domain_id ORDER BY d.name"
        )
        for zone, name, rtype, content, ttl, prio in cursor.fetchall():
            if rtype in ("MX", "SRV"):
                content = f"{prio} {content}."
            elif rtype in ("CNAME", "NS"):
                content = f"{content}."
            elif rtype == "SOA":
                mname, rname, *rest = content.split()
                content = " ".join([mname + ".", rname + ".", *rest])
            zones.setdefault(zone, []).append(f"{name}. {ttl} IN {rtype} {content}")
    files = {}
    for zone, lines in zones.items():
        path = directory / f"{zone}.zone"
        path.write_text("\n".join(lines) + "\n")
        files[zone] = path
    return files


def question_list(names: list[str], count: int, seed: int = 14) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    kinds = [("", "MX"), ("", "TXT"), ("", "SOA"), ("www.", "A"), ("_dmarc.", "TXT"),
             ("autoconfig.", "CNAME"), ("_imaps._tcp.", "SRV"), ("alp2026._domainkey.", "TXT"),
             ("_mta-sts.", "TXT")]  # fmt: skip
    out = []
    for _ in range(count):
        zone = rng.choice(names)
        if rng.random() < 0.1:
            out.append((f"nothing{rng.randrange(10**6)}.{zone}", "A"))
        else:
            prefix, rtype = rng.choice(kinds)
            out.append((f"{prefix}{zone}", rtype))
    return out


class _Client(asyncio.DatagramProtocol):
    def __init__(self, wires: list[bytes], window: int, done: asyncio.Future):
        self.wires, self.window, self.done = wires, window, done
        self.next = 0
        self.sent_at: dict[int, tuple[float, int]] = {}
        self.latencies: list[float] = []
        self.errors = 0
        self.rcodes: dict[int, int] = {}

    def connection_made(self, transport):
        self.transport = transport
        for _ in range(min(self.window, len(self.wires))):
            self._send()

    def _send(self):
        i = self.next
        self.next += 1
        qid = i & 0xFFFF
        wire = qid.to_bytes(2, "big") + self.wires[i][2:]
        self.sent_at[qid] = (time.perf_counter(), i)
        self.transport.sendto(wire)

    def datagram_received(self, data, addr):
        qid = int.from_bytes(data[:2], "big")
        started = self.sent_at.pop(qid, None)
        if started is None:
            return
        self.latencies.append(time.perf_counter() - started[0])
        rcode = data[3] & 0x0F
        self.rcodes[rcode] = self.rcodes.get(rcode, 0) + 1
        if self.next < len(self.wires):
            self._send()
        elif not self.sent_at and not self.done.done():
            self.done.set_result(None)


async def _blast(port: int, questions, window: int, timeout: float):
    wires = [dns.message.make_query(name, rtype).to_wire() for name, rtype in questions]
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    transport, client = await loop.create_datagram_endpoint(
        lambda: _Client(wires, window, done), remote_addr=("127.0.0.1", port)
    )
    started = time.perf_counter()
    try:
        await asyncio.wait_for(done, timeout)
    except TimeoutError:
        client.errors = len(client.sent_at)
    elapsed = time.perf_counter() - started
    transport.close()
    return len(client.latencies) / elapsed, client


def measure(name: str, port: int, questions, window: int) -> float:
    asyncio.run(_blast(port, questions[:500], window, 30))  # warm-up
    qps, client = asyncio.run(_blast(port, questions, window, 300))
    lat = sorted(client.latencies)
    p50 = lat[len(lat) // 2] * 1000
    p99 = lat[int(len(lat) * 0.99)] * 1000
    rcodes = ", ".join(f"{dns.rcode.to_text(k)} {v}" for k, v in sorted(client.rcodes.items()))
    print(
        f"{name:9s} {qps:10.0f} q/s   p50 {p50:6.2f} ms   p99 {p99:6.2f} ms   "
        f"({len(lat)} answers: {rcodes}; {client.errors} lost)"
    )
    return qps


def edit_to_answer(pdns: PowerDns, zone: str, rounds: int) -> list[float]:
    from mailservices.provisioning.models import ZoneRecord

    record = ZoneRecord.objects.get(domain__name=zone, name="www", type="A")
    times = []
    for i in range(rounds):
        value = f"198.51.100.{i % 250 + 1}"
        record.value = value
        started = time.perf_counter()
        record.save(update_fields=["value", "updated_at"])
        while pdns.answer(f"www.{zone}", "A") != [value]:
            pass
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--zones", type=int, default=10000)
    parser.add_argument("--queries", type=int, default=20000)
    parser.add_argument("--window", type=int, default=32, help="questions in flight")
    parser.add_argument("--edits", type=int, default=50)
    args = parser.parse_args()
    if connection.vendor != "postgresql" or missing_binaries() or not nsd_available():
        sys.exit("needs DATABASE_URL=postgres://..., pdns_server (+gpgsql) and nsd")
    connection.settings_dict["TEST"]["NAME"] = f"bench_dns_{os.getpid()}"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    pdns = nsd = None
    try:
        started = time.perf_counter()
        names = make_zones(args.zones)
        print(
            f"{len(names)} zones in the portal's database ({time.perf_counter() - started:.0f} s)"
        )
        with tempfile.TemporaryDirectory(prefix="bench-dns-") as tmp:
            files = write_zone_files(Path(tmp) / "zones")
            pdns = PowerDns(server.Database.from_connection())
            pdns.start()
            nsd = NsdServer(files, Path(tmp) / "nsd")
            started = time.perf_counter()
            nsd.start(timeout=300)
            print(f"nsd loaded {len(files)} zone files in {time.perf_counter() - started:.1f} s")
            questions = question_list(names, args.queries)
            ours = measure("PowerDNS", pdns.port, questions, args.window)
            theirs = measure("nsd", nsd.port, questions, args.window)
            print(f"ratio PowerDNS/nsd: {ours / theirs:.3f} (nsd {theirs / ours:.1f}x faster)")
            times = sorted(edit_to_answer(pdns, names[len(names) // 2], args.edits))
            print(
                f"edit to answer (PowerDNS, {len(times)} edits): median "
                f"{statistics.median(times):.1f} ms, max {times[-1]:.1f} ms"
            )
    finally:
        if nsd:
            nsd.stop()
        if pdns:
            pdns.stop()
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
