"""The batch path restricted to some checks (`diagnose_many(checks=...)`, used by
bench/diagnose.py to compare like for like with checkdmarc's MX, SPF and DMARC)."""

import asyncio

import pytest

from mailservices.diagnosis.checks import CHECK_NAMES
from mailservices.diagnosis.runner import diagnose_many, first_questions
from tests.diagnosis.conftest import CORPUS

LIKE_CHECKDMARC = ("mx", "spf", "dmarc")


def test_all_checks_ask_the_same_first_round_as_before(provider):
    domain = "Kunde.Example."
    before = [
        ("kunde.example", "MX"),
        ("kunde.example", "TXT"),
        ("spf.alpenpost.example", "TXT"),
        ("_dmarc.kunde.example", "TXT"),
        ("alp2026._domainkey.kunde.example", "TXT"),
        ("autoconfig.kunde.example", "A"),
        ("autodiscover.kunde.example", "A"),
        ("_imaps._tcp.kunde.example", "SRV"),
        ("_submissions._tcp.kunde.example", "SRV"),
        ("_caldavs._tcp.kunde.example", "SRV"),
        ("_caldavs._tcp.kunde.example", "TXT"),
        ("_carddavs._tcp.kunde.example", "SRV"),
        ("_carddavs._tcp.kunde.example", "TXT"),
        ("_mta-sts.kunde.example", "TXT"),
        ("_smtp._tls.kunde.example", "TXT"),
        ("_25._tcp.mx1.alpenpost.example", "TLSA"),
        ("_25._tcp.mx2.alpenpost.example", "TLSA"),
        ("kunde.example", "DS"),
        ("kunde.example", "DNSKEY"),
    ]
    assert first_questions(domain, provider) == before
    assert first_questions(domain, provider, CHECK_NAMES) == before


def test_some_checks_ask_only_their_questions(provider):
    assert first_questions("kunde.example", provider, LIKE_CHECKDMARC) == [
        ("kunde.example", "MX"),
        ("kunde.example", "TXT"),
        ("spf.alpenpost.example", "TXT"),
        ("_dmarc.kunde.example", "TXT"),
    ]
    assert first_questions("kunde.example", provider, ("dnssec",)) == [
        ("kunde.example", "DS"),
        ("kunde.example", "DNSKEY"),
    ]
    mta_sts = first_questions("kunde.example", provider, ("mta_sts",))
    assert ("kunde.example", "MX") in mta_sts  # the policy is matched against the MX


@pytest.mark.parametrize("checks", [("mx", "nope"), ()])
def test_unknown_or_no_checks_are_refused(checks, provider):
    with pytest.raises(ValueError):
        asyncio.run(diagnose_many(["kunde.example"], provider=provider, checks=checks))


@pytest.mark.dns
def test_some_checks_give_the_verdicts_of_the_full_run(nsd, provider, dkim_public_key):
    domains = [case.domain for case in CORPUS]

    def run(**kw):
        return asyncio.run(
            diagnose_many(
                domains,
                provider=provider,
                nameserver=nsd.address,
                concurrency=32,
                keys=dict.fromkeys(domains, dkim_public_key),
                **kw,
            )
        )

    full = run()
    # Asked in another order than CHECK_NAMES': run and returned in CHECK_NAMES' order.
    some = run(checks=("dmarc", "mx", "spf"))
    for case, every, chosen in zip(CORPUS, full, some, strict=True):
        assert [c.name for c in chosen.checks] == list(LIKE_CHECKDMARC)
        by_name = {c.name: c for c in every.checks}
        for check in chosen.checks:
            assert check.to_json() == by_name[check.name].to_json(), (case.domain, check.name)
            assert check.status == case.expect[check.name], (case.domain, check.name)
        worst_of_three = {c.status for c in chosen.checks}
        assert chosen.status in worst_of_three
