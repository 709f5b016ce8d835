"""Diagnoses per second: our asyncio diagnosis against checkdmarc, same domains, same nsd.

This is the path the daily re-diagnosis runs: the hourly beat task `diagnose_hourly_slice`
hands its slice in batches to `services.diagnosis_execute_many`, which calls
`runner.diagnose_many` on uvloop's event loop (the bench leaves out only the database reads
and writes around it). "Jetzt prüfen" and new services use the per-run `diagnose()` instead.

Generates N domains (default 10,000) as separate zones with a realistic mix of correct and
broken set-ups, serves them with Debian's nsd on 127.0.0.1, then
  1. runs our full diagnosis (every registered check: MX, SPF via pyspf, DKIM, DMARC,
     autoconfig, CalDAV/CardDAV, and whatever else is registered; the first lines say which)
     on asyncio (uvloop's event loop unless --loop asyncio) with the batch DNS client of
     mailservices.diagnosis.asyncdns (c-ares through pycares: a new socket per question,
     unusual replies through dnspython, at most --concurrency questions in flight, no
     cache), on 1 process and then on --processes; `--checks mx,spf,dmarc` runs only
     those checks (asking only their questions), the same work as checkdmarc's;
  2. runs checkdmarc's MX, SPF and DMARC checks (it has no DKIM or autoconfig check) on the
     same domains through a dnspython resolver pinned to the same nsd. checkdmarc is
     synchronous, so by default it gets a sample (--baseline): the first domains, which
     repeat the set-ups in the same mix as all (every 10th domain would be one set-up
     only); --baseline 0 gives it every domain.
Prints domains/s and domains per CPU-second of both, the ratios and the load average
before and after (the machine may be shared). Run: .venv/bin/python bench/diagnose.py
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import logging
import multiprocessing
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE))

import django  # noqa: E402
import dns.exception  # noqa: E402
import dns.nameserver  # noqa: E402
from django.conf import settings  # noqa: E402

settings.configure(USE_I18N=False)  # the checks need no database, only gettext
django.setup()

from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: E402

from mailservices.diagnosis.asyncdns import DnsClient  # noqa: E402
from mailservices.diagnosis.checks import CHECK_NAMES, ProviderFacts  # noqa: E402
from mailservices.diagnosis.resolver import make_resolver, parse_nameserver  # noqa: E402
from mailservices.diagnosis.runner import diagnose_many, first_questions  # noqa: E402
from tests.diagnosis.nsd import NsdServer, free_port, nsd_available  # noqa: E402

PROVIDER = ProviderFacts(
    mail_host="mail.alpenpost.example",
    mx_hosts=("mx1.alpenpost.example", "mx2.alpenpost.example"),
    spf_include="spf.alpenpost.example",
    outbound_networks=("192.0.2.0/28", "2001:db8:25::/64"),
    dkim_selector="alp2026",
)
HEAD = """$ORIGIN {origin}.
$TTL 300
@ SOA ns1.alpenpost.example. hostmaster.alpenpost.example. 2026112701 3600 600 86400 300
@ NS ns1.alpenpost.example.
"""


def dkim_key() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(der).decode()


def txt(value: str) -> str:
    return " ".join(f'"{value[i : i + 250]}"' for i in range(0, len(value), 250))


def domain_zone(index: int, origin: str, key: str) -> str:
    """One customer zone; every tenth index repeats the same mix of set-ups."""
    kind = index % 10
    mx = "@ MX 10 mx1.alpenpost.example.\n@ MX 20 mx2.alpenpost.example.\n"
    spf = '@ TXT "v=spf1 include:spf.alpenpost.example ~all"\n'
    dkim = f"alp2026._domainkey TXT {txt(f'v=DKIM1; k=rsa; p={key}')}\n"
    dmarc = '_dmarc TXT "v=DMARC1; p=quarantine"\n'
    auto = (
        "autoconfig CNAME mail.alpenpost.example.\n"
        "autodiscover CNAME mail.alpenpost.example.\n"
        "_imaps._tcp SRV 0 1 993 mail.alpenpost.example.\n"
        "_submissions._tcp SRV 0 1 465 mail.alpenpost.example.\n"
    )
    extra = '@ TXT "site-verification=b7c1"\nwww A 198.51.100.80\n'
    if kind == 6:
        dkim = ""
    elif kind == 7:
        spf = f'@ TXT "v=spf1 include:_spf.{origin} include:spf.alpenpost.example -all"\n'
        extra += '_spf TXT "v=spf1 ip4:198.51.100.0/24 a:www.' + origin + ' -all"\n'
    elif kind == 8:
        mx += "@ MX 5 mx.foreign.bench.\n"
    elif kind == 9:
        dmarc = '_dmarc TXT "v=DMARC1; p=none; rua=mailto:agg@reports.bench"\n'
        auto = ""
    return HEAD.format(origin=origin) + mx + spf + dkim + dmarc + auto + extra


def write_zones(directory: Path, count: int, key: str) -> list[str]:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "alpenpost.example.zone").write_text(
        HEAD.format(origin="alpenpost.example")
        + "mx1 A 192.0.2.1\nmx2 A 192.0.2.2\nmail A 192.0.2.3\n"
        + 'spf TXT "v=spf1 ip4:192.0.2.0/28 ip6:2001:db8:25::/64 -all"\n'
    )
    (directory / "bench.zone").write_text(
        HEAD.format(origin="bench") + "mx.foreign A 198.51.100.25\n"
    )
    domains = []
    for index in range(count):
        origin = f"kunde{index:05d}.bench"
        (directory / f"{origin}.zone").write_text(domain_zone(index, origin, key))
        domains.append(origin)
    return domains


def loop_factory(name: str):
    """asyncio's own event loop, or uvloop's (libuv) when asked for and installed."""
    if name == "uvloop":
        import uvloop

        return uvloop.new_event_loop
    return asyncio.new_event_loop


def _diagnose_shard(args):
    domains, nameserver, concurrency, key, loop, checks = args
    with asyncio.Runner(loop_factory=loop_factory(loop)) as runner:
        results = runner.run(
            diagnose_many(
                domains,
                provider=PROVIDER,
                nameserver=nameserver,
                concurrency=concurrency,
                keys=dict.fromkeys(domains, key),
                summarize=_summary,
                checks=checks,
            )
        )
    return results


def _summary(diagnosis):
    """What the bench keeps of a diagnosis (as it keeps only counts of checkdmarc's)."""
    return diagnosis.status, [(c.name, c.status) for c in diagnosis.checks]


def run_ours(domains, nameserver, concurrency, key, processes=1, loop="uvloop", checks=None):
    """Our diagnosis (only `checks` if given); with processes > 1 each process runs its own
    event loop on a shard.

    Returns (wall seconds, CPU seconds of all processes, summaries).
    """
    start, cpu = time.perf_counter(), time.process_time()
    if processes == 1:
        summaries = _diagnose_shard((domains, nameserver, concurrency, key, loop, checks))
        return time.perf_counter() - start, time.process_time() - cpu, summaries
    shards = [
        (domains[i::processes], nameserver, concurrency // processes or 1, key, loop, checks)
        for i in range(processes)
    ]
    children = os.times()
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        summaries = [s for part in pool.map(_diagnose_shard, shards) for s in part]
    after = os.times()
    cpu_children = (after.children_user - children.children_user) + (
        after.children_system - children.children_system
    )
    return time.perf_counter() - start, cpu_children + time.process_time() - cpu, summaries


def run_client_alone(domains, nameserver, concurrency, loop="uvloop", checks=CHECK_NAMES):
    """The batch DNS client without the checks: every domain's first round of questions
    (those DnsClient asks) in one `ask_many`, as many domains at once as `diagnose_many`
    starts. Returns (questions, wall seconds, CPU seconds, Counter of outcomes)."""
    rounds = [[k for k in first_questions(d, PROVIDER, checks) if "+" not in k[1]] for d in domains]

    async def ask():
        at_once = asyncio.Semaphore(max(1, concurrency // 4))

        async def one(keys):
            async with at_once:
                return await client.ask_many(keys)

        async with DnsClient.for_nameserver(nameserver, max_in_flight=concurrency) as client:
            parts = await asyncio.gather(*(one(keys) for keys in rounds))
        return Counter(lookup.outcome for part in parts for lookup in part)

    start, cpu = time.perf_counter(), time.process_time()
    with asyncio.Runner(loop_factory=loop_factory(loop)) as runner:
        outcomes = runner.run(ask())
    count = sum(len(keys) for keys in rounds)
    return count, time.perf_counter() - start, time.process_time() - cpu, outcomes


def run_checkdmarc(domains, nameserver, *, fresh=True):
    """checkdmarc's MX, SPF and DMARC checks, one domain after the other (it is synchronous).

    fresh=True empties checkdmarc's process-wide DNS cache before each domain, so that, like
    ours, every domain is diagnosed from the DNS as it is now; fresh=False is as shipped.
    """
    from checkdmarc import utils as checkdmarc_utils
    from checkdmarc.dmarc import check_dmarc
    from checkdmarc.smtp import check_mx
    from checkdmarc.spf import check_spf

    # A resolver pinned to nsd for the checks that take one, and the same server as the
    # name-server list (DNSSEC look-ups only take that), so nothing leaves 127.0.0.1.
    host, port = parse_nameserver(nameserver)
    resolver = make_resolver(nameserver)
    servers = [dns.nameserver.Do53Nameserver(host, port)]
    start, cpu = time.perf_counter(), time.process_time()
    outcomes = Counter()
    for domain in domains:
        if fresh:
            checkdmarc_utils.DNS_CACHE.clear()
        mx = check_mx(domain, resolver=resolver, nameservers=servers)
        spf = check_spf(domain, resolver=resolver, nameservers=servers)
        dmarc = check_dmarc(domain, resolver=resolver, nameservers=servers)
        outcomes["spf valid" if spf.get("valid") else "spf invalid"] += 1
        outcomes["dmarc valid" if dmarc.get("valid") else "dmarc invalid"] += 1
        outcomes["mx found" if mx.get("hosts") else "mx none"] += 1
    return time.perf_counter() - start, time.process_time() - cpu, outcomes


def _checkdmarc_shard(args):
    domains, nameserver = args
    return run_checkdmarc(domains, nameserver, fresh=True)


def run_checkdmarc_parallel(domains, nameserver, processes):
    """checkdmarc on `processes` processes, each on its share of the domains (wall seconds)."""
    shards = [(domains[i::processes], nameserver) for i in range(processes)]
    start = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        pool.map(_checkdmarc_shard, shards)
    return time.perf_counter() - start


class _DelayProxy(asyncio.DatagramProtocol):
    """Forwards DNS over UDP to nsd and hands each answer back `rtt` seconds after the
    question came in: a resolver that is a network round trip away."""

    def __init__(self, upstream: tuple[str, int], rtt: float):
        self.upstream, self.rtt = upstream, rtt
        self.pending: dict[int, tuple[bytes, tuple, float]] = {}
        self.next_id = 0

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        loop = asyncio.get_running_loop()
        if addr == self.upstream:
            key = int.from_bytes(data[:2], "big")
            if key not in self.pending:
                return
            original, client, asked = self.pending.pop(key)
            reply = original + data[2:]
            loop.call_at(asked + self.rtt, self.transport.sendto, reply, client)
            return
        self.next_id = (self.next_id + 1) % 65536
        self.pending[self.next_id] = (data[:2], addr, loop.time())
        self.transport.sendto(self.next_id.to_bytes(2, "big") + data[2:], self.upstream)


def _run_delay_proxy(port: int, upstream: tuple[str, int], rtt: float) -> None:
    async def serve():
        loop = asyncio.get_running_loop()
        await loop.create_datagram_endpoint(
            lambda: _DelayProxy(upstream, rtt), local_addr=("127.0.0.1", port)
        )
        await asyncio.Event().wait()

    asyncio.run(serve())


def start_delay_proxy(nameserver: str, rtt_ms: float):
    host, port = parse_nameserver(nameserver)
    proxy_port = free_port()
    process = multiprocessing.get_context("fork").Process(
        target=_run_delay_proxy, args=(proxy_port, (host, port), rtt_ms / 1000), daemon=True
    )
    process.start()
    resolver = make_resolver(f"127.0.0.1:{proxy_port}")
    for _ in range(100):
        try:
            resolver.resolve("alpenpost.example.", "SOA")
            return process, f"127.0.0.1:{proxy_port}"
        except dns.exception.DNSException:
            time.sleep(0.05)
    process.terminate()
    raise RuntimeError("delay proxy did not answer")


def rtt_round(domains, nameserver, args, key):
    """Both sides again, through a proxy that adds a network round trip to every answer."""
    process, address = start_delay_proxy(nameserver, args.rtt_ms)
    try:
        ours_time, _cpu, _summaries = run_ours(
            domains, address, args.concurrency, key, loop=args.loop, checks=args.checks
        )
        ours_rate = len(domains) / ours_time
        sample = _sample(domains, args.rtt_baseline)
        base_time, _cpu, _outcomes = run_checkdmarc(sample, address, fresh=True)
        base_rate = len(sample) / base_time
    finally:
        process.terminate()
        process.join()
    print(f"--- with {args.rtt_ms:g} ms round trip to the name server (UDP delay proxy) ---")
    print(f"ours      : {len(domains)} domains in {ours_time:.2f} s = {ours_rate:,.0f} domains/s")
    print(
        f"checkdmarc: {len(sample)} domains in {base_time:.2f} s = {base_rate:,.1f} domains/s "
        "(cache emptied per domain)"
    )
    print(f"ratio     : {ours_rate / base_rate:.0f}x checkdmarc")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--domains", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=256)
    parser.add_argument(
        "--processes", type=int, default=os.cpu_count() or 1, help="also run on N processes"
    )
    parser.add_argument(
        "--baseline",
        type=int,
        default=1_000,
        help="domains for checkdmarc, the first ones: the same mix (0: all of them)",
    )
    parser.add_argument(
        "--rtt-ms",
        type=float,
        default=0,
        help="then both again through a proxy adding this round trip (e.g. 20)",
    )
    parser.add_argument(
        "--loop",
        choices=("uvloop", "asyncio"),
        default="uvloop",
        help="event loop for our diagnosis (uvloop is a project dependency)",
    )
    parser.add_argument(
        "--checks",
        type=_check_names,
        default=CHECK_NAMES,
        help="only these of our checks, comma-separated (mx,spf,dmarc: checkdmarc's work); "
        f"default all: {','.join(CHECK_NAMES)}",
    )
    parser.add_argument("--rtt-domains", type=int, default=2_000)
    parser.add_argument("--rtt-baseline", type=int, default=40)
    args = parser.parse_args()
    if not nsd_available():
        print("nsd is not installed (apt-get install nsd)", file=sys.stderr)
        return 2

    key = dkim_key()
    with tempfile.TemporaryDirectory(prefix="bench-diagnose-") as tmp:
        t0 = time.perf_counter()
        domains = write_zones(Path(tmp) / "zones", args.domains, key)
        server = NsdServer.from_directory(Path(tmp) / "zones", Path(tmp) / "nsd")
        with server:
            print(
                f"nsd on {server.address}: {len(server.zones)} zones "
                f"(written and loaded in {time.perf_counter() - t0:.1f} s), cpus={os.cpu_count()}"
            )
            print(
                f"load average {_load()}; checks: {', '.join(args.checks)} "
                f"({len(first_questions('kunde.bench', PROVIDER, args.checks))} questions in "
                f"a domain's first round); {_client()}"
            )
            logging.getLogger("checkdmarc").setLevel(logging.ERROR)
            single_time, single_cpu, single = run_ours(
                domains, server.address, args.concurrency, key, loop=args.loop, checks=args.checks
            )
            single_rate = len(domains) / single_time
            statuses = Counter(status for status, _checks in single)
            per_check = Counter(pair for _status, checks in single for pair in checks)
            print(
                f"ours      : {len(domains)} domains in {single_time:.2f} s = "
                f"{single_rate:,.0f} domains/s (1 process, {args.loop} event loop, "
                f"{len(args.checks)} checks each, at most {args.concurrency} questions in flight)"
            )
            print(
                f"            CPU {single_cpu:.2f} s = {len(domains) / single_cpu:,.0f} domains "
                "per CPU-second (the figure a busy machine does not distort)"
            )
            print(f"            overall {dict(sorted(statuses.items()))}")
            print(f"            per check {dict(sorted(per_check.items()))}")
            count, client_time, client_cpu, client_outcomes = run_client_alone(
                domains, server.address, args.concurrency, args.loop, args.checks
            )
            print(
                f"DNS client: {count} questions alone (each domain's first round) in "
                f"{client_time:.2f} s = {count / client_time:,.0f}/s, "
                f"{client_cpu / count * 1e6:.0f} us CPU per question "
                f"{dict(sorted(client_outcomes.items()))}"
            )
            multi_rate = None
            if args.processes > 1:
                multi_time, multi_cpu, multi = run_ours(
                    domains,
                    server.address,
                    args.concurrency,
                    key,
                    args.processes,
                    args.loop,
                    args.checks,
                )
                multi_rate = len(domains) / multi_time
                assert Counter(s for s, _c in multi) == statuses
                print(
                    f"ours      : {len(domains)} domains in {multi_time:.2f} s = "
                    f"{multi_rate:,.0f} domains/s ({args.processes} processes; CPU "
                    f"{multi_cpu:.2f} s = {len(domains) / multi_cpu:,.0f} domains per CPU-second)"
                )

            sample = _sample(domains, args.baseline)
            note = "" if len(sample) == len(domains) else " (the first ones, the same mix)"
            base_time, base_cpu, outcomes = run_checkdmarc(sample, server.address, fresh=True)
            base_rate = len(sample) / base_time
            print(
                f"checkdmarc: {len(sample)} domains{note} in {base_time:.2f} s = "
                f"{base_rate:,.0f} domains/s (1 process; MX, SPF, DMARC only; cache emptied "
                "per domain, like ours)"
            )
            print(
                f"            CPU {base_cpu:.2f} s = {len(sample) / base_cpu:,.0f} domains "
                "per CPU-second"
            )
            print(f"            {dict(sorted(outcomes.items()))}")
            cached_time, _cpu, _outcomes = run_checkdmarc(sample, server.address, fresh=False)
            cached_rate = len(sample) / cached_time
            print(
                f"checkdmarc: {cached_rate:,.0f} domains/s with its DNS cache kept across "
                "domains (as shipped)"
            )
            work = (
                "the same 3 checks, like for like"
                if set(args.checks) == {"mx", "spf", "dmarc"}
                else f"ours {len(args.checks)} checks against its 3"
            )
            print(f"ratio     : {single_rate / base_rate:.1f}x checkdmarc (1 process each; {work})")
            if multi_rate:
                multi_base_rate = len(sample) / run_checkdmarc_parallel(
                    sample, server.address, args.processes
                )
                print(
                    f"            {multi_rate / multi_base_rate:.1f}x checkdmarc with "
                    f"{args.processes} processes each (checkdmarc: {multi_base_rate:,.0f} "
                    "domains/s)"
                )
            cpu_ratio = (len(domains) / single_cpu) / (len(sample) / base_cpu)
            print(f"            {cpu_ratio:.1f}x checkdmarc per CPU-second")
            print(f"            {single_rate / cached_rate:.1f}x checkdmarc with its cache")
            if len(sample) < len(domains):
                # Ours on exactly checkdmarc's domains, for comparison.
                same_time, _cpu, _summaries = run_ours(
                    sample,
                    server.address,
                    args.concurrency,
                    key,
                    loop=args.loop,
                    checks=args.checks,
                )
                same_rate = len(sample) / same_time
                print(
                    f"            {same_rate / base_rate:.1f}x checkdmarc on exactly its "
                    f"{len(sample)} domains (ours {same_rate:,.0f} domains/s there)"
                )
            best = max(single_rate, multi_rate or 0)
            print(
                f"targets   : >= 500 domains/s {'met' if best >= 500 else 'NOT met'} "
                f"(best {best:,.0f}); >= 10x checkdmarc "
                f"{'met' if single_rate >= 10 * base_rate else 'NOT met'}"
            )
            if args.rtt_ms:
                rtt_round(domains[: args.rtt_domains], server.address, args, key)
            print(f"load average {_load()} at the end")
    return 0


def _sample(domains: list[str], count: int) -> list[str]:
    """checkdmarc's domains: the first `count` (0: all). `domain_zone` repeats its set-ups
    every ten domains, so these have the mix of all; every Nth domain (N a multiple of 5)
    would be one or two set-ups only, all of them correct ones."""
    if not count or count >= len(domains):
        return domains
    return domains[: max(10, count - count % 10)]


def _check_names(text: str) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(n.strip() for n in text.split(",") if n.strip()))
    unknown = [n for n in names if n not in CHECK_NAMES]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown checks {', '.join(unknown)}; known: {', '.join(CHECK_NAMES)}"
            if unknown
            else "no checks"
        )
    return tuple(n for n in CHECK_NAMES if n in names)


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def _client() -> str:
    """Which DNS library the batch client runs on (the bench is also run on older trees)."""
    try:
        import pycares
    except ImportError:
        return "batch DNS client: own wire-format code"
    from mailservices.diagnosis import asyncdns

    if "pycares" not in vars(asyncdns):
        return "batch DNS client: own wire-format code"
    return f"batch DNS client: c-ares {pycares.ARES_VERSION} through pycares {pycares.__version__}"


if __name__ == "__main__":
    sys.exit(main())
