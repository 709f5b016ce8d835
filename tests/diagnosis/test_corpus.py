"""The zone corpus against a real nsd: every check's status and its key words, per zone."""

import asyncio

import pytest

from mailservices.diagnosis.checks import CHECK_NAMES
from mailservices.diagnosis.runner import diagnose, diagnose_many
from tests.diagnosis.conftest import CORPUS

pytestmark = pytest.mark.dns


def test_corpus_is_large_enough():
    assert len(CORPUS) >= 35
    # Every status a customer can see occurs in the corpus, for each of the main checks.
    seen = {(name, case.expect[name]) for case in CORPUS for name in CHECK_NAMES}
    for name in ("mx", "spf", "dkim", "dmarc"):
        assert (name, "ok") in seen and (name, "error") in seen
    for name in ("mx", "spf", "dkim", "dmarc", "autoconfig"):
        assert (name, "warning") in seen


@pytest.mark.parametrize("case", CORPUS, ids=str)
def test_zone(case, nsd, provider, dkim_public_key):
    result = diagnose(
        case.domain, provider=provider, nameserver=nsd.address, dkim_public_key=dkim_public_key
    )
    by_name = {check.name: check for check in result.checks}
    assert [c.name for c in result.checks] == list(CHECK_NAMES)
    assert {name: by_name[name].status for name in CHECK_NAMES} == case.expect, case.description
    for name, words in case.says.items():
        assert words in by_name[name].message, by_name[name].message
    for check in result.checks:
        assert check.message
        if check.status in ("error", "warning") and not any(
            words in check.message for words in ("mehr als 10 DNS-Abfragen", "neu signieren")
        ):
            # A problem comes with the records that fix it (to publish, or to remove); only
            # for a record over the lookup limit the customer must choose which sender to
            # give up, and broken signatures are re-made by the DNS provider (the messages
            # say so).
            assert check.records, check.name
        for record in check.records:
            if record.action == "publish" and check.status != "ok":
                # A proposed fix is never the broken record itself.
                assert record.value not in [
                    r.value for r in check.records if r.action == "remove"
                ], record


def test_asyncio_driver_agrees_with_the_sequential_one(nsd, provider, dkim_public_key):
    domains = [case.domain for case in CORPUS]
    together = asyncio.run(
        diagnose_many(
            domains,
            provider=provider,
            nameserver=nsd.address,
            concurrency=16,
            keys=dict.fromkeys(domains, dkim_public_key),
        )
    )
    for domain, batch in zip(domains, together, strict=True):
        single = diagnose(
            domain, provider=provider, nameserver=nsd.address, dkim_public_key=dkim_public_key
        )
        assert batch.to_json() == single.to_json(), domain


@pytest.mark.parametrize("case", CORPUS, ids=str)
def test_records_are_well_formed(case, nsd, provider, dkim_public_key):
    """Every record to publish or remove reads back as a zone-file line with its own name."""
    import dns.rdata
    import dns.rdataclass
    import dns.rdatatype

    result = diagnose(
        case.domain, provider=provider, nameserver=nsd.address, dkim_public_key=dkim_public_key
    )
    for check in result.checks:
        for record in check.records:
            name, ttl, klass, rdtype, text = record.zone_line.split(" ", 4)
            assert name == record.fqdn and ttl == str(record.ttl) and klass == "IN"
            assert record.action in ("publish", "remove")
            dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.from_text(rdtype), text)
