"""The batch path and the single run give the same verdict for the same zone (issue 14,
items 8 and 9): every corpus zone through both, check by check, against the real nsd."""

import asyncio

import pytest

from mailservices.diagnosis.checks import CHECK_NAMES
from mailservices.diagnosis.runner import diagnose, diagnose_many
from tests.diagnosis.conftest import CORPUS

pytestmark = pytest.mark.dns

# Zones the two paths once disagreed on, or where the single run said "did not answer".
REVIEWED = {
    "spf-too-many-mx.test": {"spf": "error"},
    "spf-include-chain.test": {"spf": "error"},
    "spf-too-many-lookups.test": {"spf": "error"},
    "mx-hosts-no-address.test": {"mx": "error"},
    "mx-no-address.test": {"mx": "error"},
    "cname-loop-mx.test": {"mx": "error"},
    "cname-loop-dmarc.test": {"dmarc": "error"},
    "cname-loop-autoconfig.test": {"autoconfig": "error"},
    "cname-loop-spf.test": {"spf": "error"},
}


@pytest.fixture(scope="module")
def both_paths(nsd, provider, dkim_public_key):
    """{domain: (single run's Diagnosis, batch Diagnosis)} for the whole corpus."""
    domains = [case.domain for case in CORPUS]
    batch = asyncio.run(
        diagnose_many(
            domains,
            provider=provider,
            nameserver=nsd.address,
            concurrency=32,
            keys=dict.fromkeys(domains, dkim_public_key),
        )
    )
    return {
        domain: (
            diagnose(
                domain, provider=provider, nameserver=nsd.address, dkim_public_key=dkim_public_key
            ),
            together,
        )
        for domain, together in zip(domains, batch, strict=True)
    }


def test_the_reviewed_zones_are_in_the_corpus():
    assert set(REVIEWED) <= {case.domain for case in CORPUS}


@pytest.mark.parametrize("case", CORPUS, ids=str)
def test_both_paths_give_the_same_verdict_check_by_check(case, both_paths):
    single, batch = both_paths[case.domain]
    for name, one, other in zip(CHECK_NAMES, single.checks, batch.checks, strict=True):
        assert (one.name, other.name) == (name, name)
        assert one.status == other.status == case.expect[name], (name, one.message, other.message)
        assert one.message == other.message, name
        assert one.records == other.records, name
    assert single.status == batch.status


@pytest.mark.parametrize("domain", sorted(REVIEWED))
def test_reviewed_verdicts(domain, both_paths):
    for diagnosis in both_paths[domain]:
        statuses = {check.name: check.status for check in diagnosis.checks}
        for name, status in REVIEWED[domain].items():
            assert statuses[name] == status, (domain, name)
        # Nothing in these zones is "could not find out": nsd answered every question.
        assert "unknown" not in statuses.values(), diagnosis.to_json()


@pytest.mark.parametrize(
    ("domain", "check", "chain"),
    [
        ("cname-loop-mx.test", "mx", ["backup", "relay", "backup"]),
        ("cname-loop-dmarc.test", "dmarc", ["_dmarc", "policy", "_dmarc"]),
        ("cname-loop-autoconfig.test", "autoconfig", ["autoconfig", "a", "b", "autoconfig"]),
        ("cname-loop-spf.test", "spf", ["_spf", "_spf2", "_spf"]),
    ],
)
def test_a_cname_loop_is_an_error_naming_the_names_to_remove(domain, check, chain, both_paths):
    names = [f"{label}.{domain}" for label in chain]
    for diagnosis in both_paths[domain]:
        result = next(c for c in diagnosis.checks if c.name == check)
        assert result.status == "error"
        assert "im Kreis" in result.message and " → ".join(names) in result.message
        assert "nicht antwortete" not in result.message
        removed = {(r.name, r.type, r.value) for r in result.records if r.action == "remove"}
        for owner, target in zip(names, names[1:], strict=False):
            assert (owner, "CNAME", target + ".") in removed
