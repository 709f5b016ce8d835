"""The batch DNS client (c-ares through pycares): the same answers as dnspython's resolver,
question by question, with a new source port and a random id per question."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import dns.message
import dns.rcode
import dns.rrset
import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from mailservices.diagnosis.asyncdns import DnsClient
from mailservices.diagnosis.dns import FAILURE, NODATA, NXDOMAIN
from mailservices.diagnosis.resolver import make_resolver, resolve
from mailservices.diagnosis.runner import first_questions
from tests.diagnosis.conftest import CORPUS
from tests.diagnosis.nsd import free_port
from tests.diagnosis.rawdns import RawDns

pytestmark = pytest.mark.dns


def ask_all(nameserver, keys, **kw):
    async def run():
        async with DnsClient.for_nameserver(nameserver, **kw) as client:
            return await asyncio.gather(*(client.ask(n, t) for n, t in keys))

    return asyncio.run(run())


def ask_many(servers, keys, **kw):
    async def run():
        async with DnsClient(servers, **kw) as client:
            return await client.ask_many(keys)

    return asyncio.run(run())


def test_client_agrees_with_the_resolver_on_the_corpus(nsd, provider):
    keys = []
    for case in CORPUS:
        keys += first_questions(case.domain, provider)
        keys += [(case.domain, t) for t in ("A", "AAAA", "NS", "SOA", "CNAME")]
        keys += [(f"www.{case.domain}", "A"), (f"nothing-here.{case.domain}", "TXT")]
    keys += [("mx1.alpenpost.example", "A"), ("spf.alpenpost.example", "TXT")]
    keys += [("mail.mx-cname.test", "MX"), ("mail.mx-cname.test", "TXT")]  # CNAME, no data
    keys += [("good.test", "CAA"), ("good.test", "DS"), ("good.test", "DNSKEY")]
    keys += [("_25._tcp.mx1.alpenpost.example", "TLSA"), ("good.test", "HINFO")]
    keys += [("xn--bcher-kva.test", "MX"), ("bücher.test", "MX"), ("good.test.", "MX")]
    resolver = make_resolver(nsd.address)
    expected = [resolve(resolver, n, t) for n, t in keys]
    got = ask_all(nsd.address, keys)
    assert got == expected
    outcomes = {lookup.outcome for lookup in got}
    assert {"answer", "nodata", "nxdomain"} <= outcomes
    assert any(lookup.canonical_name for lookup in got)  # CNAME chains are in the corpus
    by_key = dict(zip(keys, got, strict=True))
    # An empty answer after a CNAME keeps the CNAME's target (the MX alias check reads it).
    assert by_key[("mail.mx-cname.test", "MX")].outcome == NODATA
    assert by_key[("mail.mx-cname.test", "MX")].canonical_name == "mx1.alpenpost.example"


def test_servfail_is_failure(fake_dns):
    fake_dns.mode = "servfail"
    [lookup] = ask_all(fake_dns.address, [("good.test", "MX")])
    assert (lookup.outcome, lookup.error) == (FAILURE, "servfail")


def test_timeout_is_failure_and_bounded(fake_dns):
    fake_dns.mode = "timeout"
    start = time.monotonic()
    # c-ares waits at least 250 ms for a try, whatever the time-out asked for.
    lookups = ask_all(fake_dns.address, [("good.test", "MX")] * 3, timeout=0.1, lifetime=0.7)
    assert time.monotonic() - start < 3
    assert {(lk.outcome, lk.error) for lk in lookups} == {(FAILURE, "timeout")}
    assert len(fake_dns.queries) >= 6  # asked again after each try's time-out
    ports = [port for port, _id in fake_dns.udp_sources]
    assert len(set(ports)) >= len(ports) - 1  # every try from a new socket (random port)


def test_a_silent_server_costs_at_most_the_lifetime(fake_dns):
    fake_dns.mode = "timeout"
    start = time.monotonic()
    [lookup] = ask_all(fake_dns.address, [("good.test", "MX")], lifetime=1.0)
    assert 0.9 < time.monotonic() - start < 2.5
    assert (lookup.outcome, lookup.error) == (FAILURE, "timeout")


def test_truncated_reply_is_asked_again_over_tcp(fake_dns):
    fake_dns.mode = "records"
    fake_dns.records = {("big.test", "TXT"): ['"v=spf1 -all"']}
    fake_dns.truncate_udp = True
    [lookup] = ask_all(fake_dns.address, [("big.test", "TXT")])
    assert lookup.records == ("v=spf1 -all",)
    assert fake_dns.udp_sources  # first over UDP, then TCP


def test_nothing_is_cached_between_questions(fake_dns):
    fake_dns.mode = "records"
    fake_dns.records = {("fix.test", "TXT"): ['"v=spf1 ?all"']}

    async def run():
        async with DnsClient.for_nameserver(fake_dns.address) as client:
            before = await client.ask("fix.test", "TXT")
            fake_dns.records = {("fix.test", "TXT"): ['"v=spf1 -all"']}
            after = await client.ask("fix.test", "TXT")
            return before, after

    before, after = asyncio.run(run())
    assert before.records == ("v=spf1 ?all",) and after.records == ("v=spf1 -all",)


def test_invalid_name_is_nxdomain_without_asking(fake_dns):
    [lookup] = ask_all(fake_dns.address, [("a" * 64 + ".test", "TXT")])
    assert (lookup.outcome, lookup.error) == (NXDOMAIN, "invalid name")
    assert fake_dns.queries == []


# --- Replies nsd would not send, against dnspython's resolver ----------------------------

labels = st.text("abcXYZ019-_", min_size=1, max_size=12)
names = st.lists(labels, min_size=1, max_size=3).map(lambda parts: ".".join(parts) + ".test.")
odd_names = names | st.sampled_from(["we\\.ird.test.", "sp\\032ace.test.", "*.wild.test."])
rdata = {
    "A": st.tuples(*[st.integers(0, 255)] * 4).map(lambda t: ".".join(map(str, t))),
    "AAAA": st.sampled_from(["2001:db8::1", "::1", "::ffff:192.0.2.1", "2001:db8:0:0:1::"]),
    "MX": st.tuples(st.integers(0, 65535), odd_names).map(lambda t: f"{t[0]} {t[1]}"),
    "TXT": st.lists(
        st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=300).map(
            lambda s: s.encode()[:255].decode(errors="ignore")
        ),
        min_size=1,
        max_size=3,
    ).map(
        lambda parts: " ".join(
            '"' + p.replace("\\", "\\\\").replace('"', '\\"') + '"' for p in parts
        )
    ),
    "SRV": st.tuples(st.integers(0, 9), st.integers(0, 9), st.integers(1, 65535), names).map(
        lambda t: " ".join(map(str, t))
    ),
    "CNAME": odd_names,
    "TLSA": st.tuples(
        st.integers(0, 3),
        st.integers(0, 1),
        st.sampled_from([(0, 1, 200), (1, 32, 32), (2, 64, 64), (7, 1, 70)]),
        st.randoms(use_true_random=False),
    ).map(
        lambda t: f"{t[0]} {t[1]} {t[2][0]} " + t[3].randbytes(t[3].randint(t[2][1], t[2][2])).hex()
    ),
}


@st.composite
def replies(draw):
    qtype = draw(st.sampled_from(["A", "AAAA", "MX", "TXT", "SRV", "CNAME", "TLSA"]))
    qname = draw(names)
    query = dns.message.make_query(qname, qtype)
    response = dns.message.make_response(query)
    rcode = draw(st.sampled_from([dns.rcode.NOERROR, dns.rcode.NXDOMAIN]))
    response.set_rcode(rcode)
    owner = qname
    seen = {qname.lower()}
    # NXDOMAIN comes with CNAMEs at most (the chain's end does not exist): pycares gives no
    # records with it, and dnspython rejects one that also has the data asked for.
    nxdomain = rcode == dns.rcode.NXDOMAIN
    for _hop in range(draw(st.integers(0, 0 if nxdomain and qtype == "CNAME" else 3))):
        target = draw(odd_names)
        # A CNAME loop with NXDOMAIN is NXDOMAIN here, "loop" for dnspython (real servers
        # answer a loop with NOERROR or SERVFAIL).
        assume(not nxdomain or target.lower() not in seen)
        seen.add(target.lower())
        spelled = owner.upper() if draw(st.booleans()) else owner
        response.answer.append(dns.rrset.from_text(spelled, 60, "IN", "CNAME", target))
        owner = target
    if not nxdomain and draw(st.booleans()):
        values = draw(st.lists(rdata[qtype], min_size=1, max_size=3))
        response.answer.append(dns.rrset.from_text_list(owner, 60, "IN", qtype, values))
    if not nxdomain and draw(st.booleans()):  # records of another type at the name
        response.answer.append(dns.rrset.from_text(qname, 60, "IN", "A", "192.0.2.7"))
    if draw(st.booleans()):
        response.authority.append(
            dns.rrset.from_text("test.", 60, "IN", "SOA", "ns.test. h.test. 1 2 3 4 5")
        )
    return qname, qtype, response.to_wire(want_shuffle=False)


@pytest.fixture(scope="module")
def raw_dns():
    server = RawDns().start()
    yield server
    server.stop()


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(replies())
def test_client_agrees_with_the_resolver_on_generated_replies(raw_dns, reply):
    qname, qtype, wire = reply
    raw_dns.reply = wire
    name = qname.rstrip(".").lower()
    [got] = ask_all(raw_dns.address, [(name, qtype)])
    expected = resolve(make_resolver(raw_dns.address), name, qtype)
    event(f"{expected.outcome}{' via CNAME' if expected.canonical_name else ''}")
    assert got == expected


def test_duplicates_and_escaped_names_are_read_as_dnspython_reads_them(raw_dns):
    query = dns.message.make_query("kunde.test.", "MX")
    response = dns.message.make_response(query)
    response.answer.append(
        dns.rrset.from_text_list(
            "kunde.test.", 60, "IN", "MX", ["10 mx1.alpenpost.example.", "20 we\\.ird.test."]
        )
    )
    response.answer.append(
        dns.rrset.from_text("Kunde.test.", 60, "IN", "MX", "10 MX1.alpenpost.example.")
    )
    raw_dns.reply = response.to_wire(want_shuffle=False)
    [got] = ask_all(raw_dns.address, [("kunde.test", "MX")])
    assert got == resolve(make_resolver(raw_dns.address), "kunde.test", "MX")
    assert got.records == ("10 mx1.alpenpost.example.", "20 we\\.ird.test.")


def test_a_tlsa_record_dnspython_rejects_is_rejected(raw_dns):
    query = dns.message.make_query("_25._tcp.mx.test.", "TLSA")
    response = dns.message.make_response(query)
    cert = bytes(range(31))  # a SHA-256 match must have 32 bytes
    response.answer.append(
        dns.rrset.from_text("_25._tcp.mx.test.", 60, "IN", "TLSA", f"3 1 0 {cert.hex()}")
    )
    wire = response.to_wire()
    raw_dns.reply = wire.replace(b"\x03\x01\x00" + cert, b"\x03\x01\x01" + cert)
    # dnspython ignores a reply it cannot read and waits for another until its time is up.
    [got] = ask_all(raw_dns.address, [("_25._tcp.mx.test", "TLSA")], timeout=0.5, lifetime=1)
    resolver = make_resolver(raw_dns.address)
    resolver.timeout, resolver.lifetime = 0.5, 1
    assert got == resolve(resolver, "_25._tcp.mx.test", "TLSA")
    assert (got.outcome, got.error) == (FAILURE, "timeout")


def test_null_mx_and_root_targets(raw_dns):
    query = dns.message.make_query("null.test.", "MX")
    response = dns.message.make_response(query)
    response.answer.append(dns.rrset.from_text("null.test.", 60, "IN", "MX", "0 ."))
    raw_dns.reply = response.to_wire()
    [got] = ask_all(raw_dns.address, [("null.test", "MX")])
    assert got.records == ("0 .",)
    assert got == resolve(make_resolver(raw_dns.address), "null.test", "MX")


def test_ask_many_keeps_order_and_bounds_questions_in_flight(nsd, provider):
    domain = CORPUS[0].domain
    keys = [*first_questions(domain, provider), ("a" * 64 + ".test", "A")] * 3

    async def run():
        async with DnsClient.for_nameserver(nsd.address, max_in_flight=2) as client:
            many = await client.ask_many(keys)
            # Every slot given back: by the futures' done callbacks, which may still be
            # queued for the next loop turn when replies on two sockets came in together.
            await asyncio.sleep(0)
            assert client._slots.free == 2
            return many

    many = asyncio.run(run())
    resolver = make_resolver(nsd.address)
    assert many[:-1] == [resolve(resolver, n, t) for n, t in keys[:-1]]
    assert many[-1].error == "invalid name"


def test_slots_wait_in_turn_and_survive_cancellation():
    from mailservices.diagnosis.asyncdns import _Slots

    async def run():
        slots = _Slots(1)
        await slots.take()
        order = []

        async def later(tag):
            await slots.take()
            order.append(tag)

        first, second = asyncio.create_task(later(1)), asyncio.create_task(later(2))
        await asyncio.sleep(0)
        first.cancel()  # gave up waiting: its turn goes to the next one
        slots.give()
        await asyncio.sleep(0)
        await second
        slots.give()
        return order, slots.free

    assert asyncio.run(run()) == ([2], 1)


def test_diagnose_many_can_keep_summaries_only(nsd, provider, dkim_public_key):
    from mailservices.diagnosis.runner import diagnose_many

    domains = [case.domain for case in CORPUS[:8]]

    def run(**kw):
        return asyncio.run(
            diagnose_many(
                domains,
                provider=provider,
                nameserver=nsd.address,
                keys=dict.fromkeys(domains, dkim_public_key),
                **kw,
            )
        )

    full = run()
    summaries = run(summarize=lambda d: (d.domain, d.status))
    assert summaries == [(d.domain, d.status) for d in full]


def test_every_question_leaves_from_a_new_port_with_a_random_id(fake_dns):
    """c-ares opens a socket per UDP question (udp_max_queries 1): the kernel picks a new
    random port each time; ids are c-ares' random 16 bits."""
    fake_dns.mode = "records"
    fake_dns.records = {("kunde.test", "TXT"): ['"v=spf1 -all"']}
    count = 400
    lookups = ask_all(fake_dns.address, [("kunde.test", "TXT")] * count, max_in_flight=64)
    assert {lookup.records for lookup in lookups} == {("v=spf1 -all",)}
    assert len(fake_dns.udp_sources) == count
    ports = [port for port, _id in fake_dns.udp_sources]
    assert max(Counter(ports).values()) <= 3  # a port again only by chance (kernel picks)
    assert len(set(ports)) > 0.95 * count
    steps = [b - a for a, b in zip(ports, ports[1:], strict=False)]
    assert len(set(steps)) > 0.5 * len(steps)  # not one port after the other
    ids = [qid for _port, qid in fake_dns.udp_sources]
    assert len(set(ids)) > 0.95 * len(ids)
    assert sorted(ids) != ids


def test_a_second_server_answers_when_the_first_is_gone(nsd):
    host, port = nsd.address.split(":")
    servers = [("127.0.0.1", free_port()), (host, int(port))]  # nothing listens on the first
    keys = [("good.test", "MX"), ("_dmarc.good.test", "TXT"), ("nothing.good.test", "A")]
    got = ask_many(servers, keys)
    resolver = make_resolver(nsd.address)
    assert got == [resolve(resolver, n, t) for n, t in keys]


def test_all_servers_gone_is_failure():
    got = ask_many([("127.0.0.1", free_port())], [("good.test", "MX")], lifetime=2)
    assert [(lookup.outcome, lookup.error) for lookup in got] == [(FAILURE, "servfail")]


def test_closing_ends_the_questions_still_out(fake_dns):
    fake_dns.mode = "timeout"

    async def run():
        client = DnsClient.for_nameserver(fake_dns.address)
        await client.__aenter__()
        asking = asyncio.ensure_future(client.ask("good.test", "MX"))
        await asyncio.sleep(0.1)
        await client.close()
        return await asking

    start = time.monotonic()
    lookup = asyncio.run(run())
    assert (lookup.outcome, lookup.error) == (FAILURE, "timeout")
    assert time.monotonic() - start < 2
