"""Runs all checks for a domain: one at a time (sync) or many domains at once (asyncio).

No ORM: callers pass the provider facts and the service's DKIM key. The asyncio driver asks
the questions every check is known to need up front, runs the checks on the answers, and
fetches whatever they still miss (includes, foreign MX hosts, report domains) in rounds.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from contextlib import AsyncExitStack

import uvloop
from django.utils.translation import gettext_noop as _  # msgids are translated on display

from mailservices.diagnosis.asyncdns import DnsClient
from mailservices.diagnosis.checks import (
    CHECK_NAMES,
    UNKNOWN,
    CheckResult,
    Diagnosis,
    Finding,
    ProviderFacts,
    Text,
    ZoneFacts,
    run_check,
    run_checks,
    worst,
)
from mailservices.diagnosis.checks.autoconfig import SRV
from mailservices.diagnosis.checks.dav import SERVICES as DAV_SERVICES
from mailservices.diagnosis.checks.dkim import dkim_name
from mailservices.diagnosis.dns import AnswerBook, MissingAnswer, normalize_name
from mailservices.diagnosis.resolver import (
    AsyncExtras,
    ResolverSource,
    fetch_into,
    make_resolver,
)

# Rounds of fetching before a check is given up as too deep. A check that learns one name
# per round needs many: an SPF record may make 10 DNS-mechanism lookups, each `mx` one
# naming up to 10 hosts to look up in turn (RFC 7208, 4.6.4), for IPv4 and IPv6 evaluations,
# and the loop search walks up to 30 names. The single run has no such limit; with fewer
# rounds the batch said "unknown" where the single run said "error".
MAX_ROUNDS = 256


def diagnose(
    domain: str,
    *,
    provider: ProviderFacts | None = None,
    nameserver: str | None = None,
    resolver=None,
    dkim_public_key: str | None = None,
    progress=None,
    zone: ZoneFacts | None = None,
) -> Diagnosis:
    """All checks for `domain` with a fresh resolver (pinned to `nameserver` if given).

    `zone`: what the portal publishes for a zone it hosts (None: an external domain)."""
    source = ResolverSource(resolver if resolver is not None else make_resolver(nameserver))
    return run_checks(
        domain,
        source,
        provider or ProviderFacts.from_settings(),
        dkim_public_key,
        progress,
        zone,
    )


def first_questions(
    domain: str, provider: ProviderFacts, checks: tuple[str, ...] = CHECK_NAMES
) -> list[tuple[str, str]]:
    """The questions `checks` are known to need, asked before any check runs (what else
    they need is asked in later rounds)."""
    domain = normalize_name(domain)
    per_check = {
        "mx": [(domain, "MX")],
        "spf": [(domain, "TXT"), (provider.spf_include, "TXT")],
        "dmarc": [(f"_dmarc.{domain}", "TXT")],
        "dkim": [(dkim_name(domain, provider.dkim_selector), "TXT")],
        "autoconfig": [(f"autoconfig.{domain}", "A"), (f"autodiscover.{domain}", "A")]
        + [(f"{label}.{domain}", "SRV") for label, _port in SRV],
        "dav": [(f"{label}.{domain}", kind) for label in DAV_SERVICES for kind in ("SRV", "TXT")],
        # TLSA of our MX hosts (most domains' MX): asked now, not in a round of their own.
        # The policy host's address is asked only where `_mta-sts` is published.
        "mta_sts": [(f"_mta-sts.{domain}", "TXT"), (f"_smtp._tls.{domain}", "TXT")]
        + [(f"_25._tcp.{host}", "TLSA") for host in provider.mx_hosts]
        + [(domain, "MX")],
        "dnssec": [(domain, "DS"), (domain, "DNSKEY")],
    }
    keys = [key for name, asked in per_check.items() if name in checks for key in asked]
    return list(dict.fromkeys(keys))


def _chosen(checks) -> tuple[str, ...]:
    """`checks` in the order of CHECK_NAMES (None: all of them)."""
    if checks is None:
        return CHECK_NAMES
    unknown = set(checks) - set(CHECK_NAMES)
    if unknown or not checks:
        raise ValueError(f"unknown checks: {sorted(unknown)}" if unknown else "no checks")
    return tuple(name for name in CHECK_NAMES if name in checks)


async def diagnose_async(
    domain: str,
    *,
    client: DnsClient,
    provider: ProviderFacts,
    dkim_public_key: str | None = None,
    zone: ZoneFacts | None = None,
    extras: AsyncExtras | None = None,
    checks: tuple[str, ...] | None = None,
) -> Diagnosis:
    """The same checks as `diagnose`, with the DNS questions asked concurrently.

    `extras` answers the DNSSEC and MTA-STS questions; pinned like `client` (None: the
    system's resolvers). `checks`: only these (names of CHECK_NAMES, run and returned in
    that order; None: all)."""
    domain = normalize_name(domain)
    names = _chosen(checks)
    extras = extras or AsyncExtras(None)
    book = AnswerBook()
    await fetch_into(book, client, first_questions(domain, provider, names), extras)
    results: dict[str, CheckResult] = {}
    for _round in range(MAX_ROUNDS):
        missing: set[tuple[str, str]] = set()
        for name in names:
            if name in results:
                continue
            book.missed.clear()
            try:
                result = run_check(name, domain, book, provider, dkim_public_key, zone)
            except MissingAnswer as exc:
                missing |= exc.keys | book.missed
                continue
            if book.missed:  # a library swallowed the signal; the result is not complete
                missing |= book.missed
                continue
            results[name] = result
        if not missing:
            break
        await fetch_into(book, client, missing, extras)
    done = [results.get(name) or _too_deep(name) for name in names]
    return Diagnosis(domain, worst(c.status for c in done), done)


def _too_deep(name: str) -> CheckResult:
    return CheckResult.from_findings(
        name,
        [
            Finding(
                UNKNOWN,
                Text(
                    _(
                        "Die Prüfung brauchte zu viele DNS-Abfragen hintereinander und wurde "
                        "abgebrochen."
                    )
                ),
            )
        ],
    )


async def diagnose_many(
    domains: list[str],
    *,
    provider: ProviderFacts,
    nameserver: str | None = None,
    nameservers: dict[str, str | None] | None = None,
    concurrency: int = 200,
    keys: dict[str, str] | None = None,
    zones: dict[str, ZoneFacts] | None = None,
    summarize=None,
    return_exceptions: bool = False,
    checks: tuple[str, ...] | None = None,
) -> list:
    """Diagnoses many domains at once, at most `concurrency` DNS questions in flight to each
    name server.

    Returns the `Diagnosis` of each domain in order; with `summarize`, what
    `summarize(diagnosis)` returns for it instead, called as soon as the domain is done (a
    batch of thousands then keeps only what it needs, not every full result). With
    `return_exceptions`, a domain whose diagnosis raises gets the exception in its place and
    the others go on. `zones`: the facts of the domains whose zones we host.

    `nameservers`: where a domain is asked if not at `nameserver` (a hosted zone: our own
    name server, as on the single run). Each server gets its own client, bounded by
    `concurrency`; the domains still run in one pass.

    `checks`: run only these checks (names of CHECK_NAMES; None: all), asking only the
    questions they need, e.g. the bench's like-for-like comparison with checkdmarc.
    """
    checks = _chosen(checks)
    keys = keys or {}
    zones = zones or {}
    server_of = {domain: (nameservers or {}).get(domain, nameserver) for domain in domains}
    servers = list(dict.fromkeys(server_of.values())) or [nameserver]
    extras = {server: AsyncExtras(server) for server in servers}
    # Domains started at once: enough to keep `concurrency` questions in flight (about ten
    # per domain), few enough that thousands of waiting tasks do not pile up.
    domains_at_once = asyncio.Semaphore(max(1, concurrency // 4))

    async def one(domain, clients):
        server = server_of[domain]
        async with domains_at_once:
            result = await diagnose_async(
                domain,
                client=clients[server],
                provider=provider,
                dkim_public_key=keys.get(domain),
                zone=zones.get(domain),
                extras=extras[server],
                checks=checks,
            )
        return summarize(result) if summarize else result

    async with AsyncExitStack() as stack:
        clients = {
            server: await stack.enter_async_context(
                DnsClient.for_nameserver(server, max_in_flight=concurrency)
            )
            for server in servers
        }
        return await asyncio.gather(
            *(one(d, clients) for d in domains), return_exceptions=return_exceptions
        )


def run_coroutine(make_coroutine):
    """`asyncio.run(make_coroutine())` on uvloop's event loop (as bench/diagnose.py measures).

    A thread that already runs an event loop (a Playwright test's, an ASGI server's) cannot
    start a second one: there the coroutine runs on a short-lived thread of its own.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _run_fresh(make_coroutine)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_run_fresh, make_coroutine).result()


def _run_fresh(make_coroutine):
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(make_coroutine())
