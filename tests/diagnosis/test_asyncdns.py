"""The batch DNS client: the same answers as dnspython's resolver, question by question."""

from __future__ import annotations

import asyncio
import time

import dns.flags
import dns.message
import dns.rcode
import dns.rrset
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from mailservices.diagnosis.asyncdns import DnsClient, fast_lookup
from mailservices.diagnosis.dns import FAILURE, NXDOMAIN
from mailservices.diagnosis.resolver import make_resolver, resolve
from mailservices.diagnosis.runner import first_questions
from tests.diagnosis.conftest import CORPUS

pytestmark = pytest.mark.dns


def ask_all(nameserver, keys, **kw):
    async def run():
        async with DnsClient.for_nameserver(nameserver, **kw) as client:
            return await asyncio.gather(*(client.ask(n, t) for n, t in keys))

    return asyncio.run(run())


def test_client_agrees_with_the_resolver_on_the_corpus(nsd, provider):
    keys = []
    for case in CORPUS:
        keys += first_questions(case.domain, provider)
        keys += [(case.domain, t) for t in ("A", "AAAA", "NS", "SOA", "CNAME")]
        keys += [(f"www.{case.domain}", "A"), (f"nothing-here.{case.domain}", "TXT")]
    keys += [("mx1.alpenpost.example", "A"), ("spf.alpenpost.example", "TXT")]
    resolver = make_resolver(nsd.address)
    expected = [resolve(resolver, n, t) for n, t in keys]
    got = ask_all(nsd.address, keys)
    assert got == expected
    outcomes = {lookup.outcome for lookup in got}
    assert {"answer", "nodata", "nxdomain"} <= outcomes
    assert any(lookup.canonical_name for lookup in got)  # CNAME chains are in the corpus


def test_servfail_is_failure(fake_dns):
    fake_dns.mode = "servfail"
    [lookup] = ask_all(fake_dns.address, [("good.test", "MX")])
    assert (lookup.outcome, lookup.error) == (FAILURE, "servfail")


def test_timeout_is_failure_and_bounded(fake_dns):
    fake_dns.mode = "timeout"
    start = time.monotonic()
    lookups = ask_all(fake_dns.address, [("good.test", "MX")] * 3, timeout=0.1, lifetime=0.3)
    assert time.monotonic() - start < 2
    assert {(lk.outcome, lk.error) for lk in lookups} == {(FAILURE, "timeout")}
    assert len(fake_dns.queries) >= 6  # asked again after each try's time-out


def test_truncated_reply_is_asked_again_over_tcp(fake_dns):
    fake_dns.mode = "records"
    fake_dns.records = {("big.test", "TXT"): ['"v=spf1 -all"']}
    fake_dns.truncate_udp = True
    [lookup] = ask_all(fake_dns.address, [("big.test", "TXT")])
    assert lookup.records == ("v=spf1 -all",)


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


# --- The quick reader against dnspython's, on generated replies ---------------------------

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
}


@st.composite
def replies(draw):
    qtype = draw(st.sampled_from(["A", "AAAA", "MX", "TXT", "SRV", "CNAME"]))
    qname = draw(names)
    query = dns.message.make_query(qname, qtype)
    response = dns.message.make_response(query)
    response.set_rcode(draw(st.sampled_from([dns.rcode.NOERROR, dns.rcode.NXDOMAIN])))
    owner = qname
    for _hop in range(draw(st.integers(0, 3))):  # a CNAME chain, sometimes in odd case
        target = draw(odd_names)
        spelled = owner.upper() if draw(st.booleans()) else owner
        response.answer.append(dns.rrset.from_text(spelled, 60, "IN", "CNAME", target))
        owner = target
    if draw(st.booleans()):
        values = draw(st.lists(rdata[qtype], min_size=1, max_size=3))
        response.answer.append(dns.rrset.from_text_list(owner, 60, "IN", qtype, values))
    if draw(st.booleans()):  # records of another type at the name
        response.answer.append(dns.rrset.from_text(qname, 60, "IN", "A", "192.0.2.7"))
    if draw(st.booleans()):
        response.authority.append(
            dns.rrset.from_text("test.", 60, "IN", "SOA", "ns.test. h.test. 1 2 3 4 5")
        )
    return qname, qtype, response.to_wire(want_shuffle=False)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(replies())
def test_quick_reader_agrees_with_dnspython(reply):
    qname, qtype, wire = reply
    name = qname.rstrip(".").lower()
    quick = fast_lookup(name, qtype, wire)
    slow = DnsClient._slow_lookup(name, qtype, wire, wire[3] & 0x0F)
    event("left to dnspython" if quick is None else "read quickly")
    if quick is not None:  # None: the reader leaves the reply to dnspython
        assert quick == slow


def test_quick_reader_reads_ordinary_replies_itself():
    query = dns.message.make_query("kunde.test.", "MX")
    response = dns.message.make_response(query)
    response.answer.append(
        dns.rrset.from_text_list(
            "kunde.test.",
            60,
            "IN",
            "MX",
            ["10 mx1.alpenpost.example.", "20 MX2.alpenpost.example."],
        )
    )
    lookup = fast_lookup("kunde.test", "MX", response.to_wire(want_shuffle=False))
    assert lookup is not None
    assert lookup.records == ("10 mx1.alpenpost.example.", "20 MX2.alpenpost.example.")
    # Trailing bytes, a compression pointer forward, an unknown record type: left to dnspython.
    assert fast_lookup("kunde.test", "MX", response.to_wire() + b"\0") is None
    response.answer.append(dns.rrset.from_text("kunde.test.", 60, "IN", "HINFO", '"a" "b"'))
    assert fast_lookup("kunde.test", "MX", response.to_wire()) is None


@given(st.lists(st.text("abz09-_.XÄ\\", min_size=0, max_size=70), min_size=1, max_size=5))
def test_question_names_are_encoded_as_dnspython_encodes_them(parts):
    import dns.exception
    import dns.name

    from mailservices.diagnosis.asyncdns import _wire_name

    name = ".".join(parts).rstrip(".").lower()
    try:
        expected = dns.name.from_text(name + ".").to_wire()
    except dns.exception.DNSException as exc:
        with pytest.raises(type(exc)):
            _wire_name(name)
    else:
        assert _wire_name(name) == expected


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


def test_questions_go_out_on_random_ports_with_random_ids(fake_dns):
    """Each question leaves from one of several sockets chosen at random, a socket is
    replaced (new port) after QUESTIONS_PER_SOCKET questions, and ids are random."""
    from collections import Counter

    from mailservices.diagnosis.asyncdns import QUESTIONS_PER_SOCKET, SOCKETS_PER_SERVER

    fake_dns.mode = "records"
    fake_dns.records = {("kunde.test", "TXT"): ['"v=spf1 -all"']}
    count = 20 * QUESTIONS_PER_SOCKET

    async def run():
        async with DnsClient.for_nameserver(fake_dns.address, max_in_flight=64) as client:
            return await client.ask_many([("kunde.test", "TXT")] * count)

    lookups = asyncio.run(run())
    assert {lookup.records for lookup in lookups} == {("v=spf1 -all",)}
    ports = Counter(port for port, _id in fake_dns.udp_sources)
    assert sum(ports.values()) == count
    assert max(ports.values()) <= QUESTIONS_PER_SOCKET  # no port used longer than that
    assert len(ports) >= max(count // QUESTIONS_PER_SOCKET, SOCKETS_PER_SERVER)
    ids = [qid for _port, qid in fake_dns.udp_sources]
    assert len(set(ids)) > 0.9 * len(ids)  # 16 random bits each, not a counter
    assert sorted(ids) != ids
