"""MTA-STS, DANE and DNSSEC beyond the corpus: the HTTPS fetch's bounds (time, size,
redirects), the MX certificate over STARTTLS, and a hosted zone's facts (the portal's DS and
policy) against the real nsd."""

import asyncio
import time

import pytest

from mailservices.diagnosis import policyfetch, smtpcert
from mailservices.diagnosis.checks import ZoneFacts
from mailservices.diagnosis.checks.dane import certificate_matches, tlsa_problem
from mailservices.diagnosis.checks.mta_sts import evaluate_mta_sts, parse_sts_record
from mailservices.diagnosis.dns import POLICY
from mailservices.diagnosis.resolver import PolicyAccess, ResolverSource, make_resolver
from mailservices.diagnosis.runner import diagnose
from mailservices.hosteddns import mtasts
from tests.diagnosis.conftest import ZONES
from tests.diagnosis.smtpserver import SmtpServer

pytestmark = pytest.mark.dns


def test_sts_record_and_tlsa_syntax():
    assert parse_sts_record("v=STSv1; id=20261206a;") == "20261206a"
    assert parse_sts_record("v=STSv1;id=" + "a" * 33) is None
    assert parse_sts_record("id=1; v=STSv1") is None
    assert tlsa_problem("3 1 1 " + "ab" * 32) is None
    assert tlsa_problem("3 1 2 " + "ab" * 32) == "syntax"  # SHA-512 needs 128 hex digits
    assert tlsa_problem("1 1 1 " + "ab" * 32) == "usage"
    assert tlsa_problem("01 1 1 " + "ab" * 32) == "syntax"


def test_response_reading_is_bounded_and_follows_no_redirect():
    ok = policyfetch.read_response(
        "h", b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nversion: STSv1\r\n", complete=True
    )
    assert ok.records == ("version: STSv1\r\n", "text/plain")
    moved = b"HTTP/1.1 301 Moved\r\nLocation: https://elsewhere/\r\n\r\n"
    assert policyfetch.read_response("h", moved, complete=True).error == "http-301"
    big = b"HTTP/1.1 200 OK\r\n\r\n" + b"x" * (policyfetch.MAX_BYTES + 1)
    assert policyfetch.read_response("h", big, complete=False).error == "too-large"
    chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nmode\r\n0\r\n\r\n"
    assert policyfetch.read_response("h", chunked, complete=True).records[0] == "mode"


def test_the_fetch_keeps_to_the_run_budget(nsd, policy_server, provider):
    """A policy host that answers late costs the single run at most its budget."""
    policy_server.delay["mta-sts.slow.test"] = 3
    policy_server.responses["mta-sts.slow.test"] = (200, "text/plain", "version: STSv1\r\n")
    try:
        source = ResolverSource(make_resolver(nsd.address), budget=1.0)
        start = time.monotonic()
        result = evaluate_mta_sts("slow.test", source, provider)
        assert time.monotonic() - start < 1.8
        assert result.status in ("error", "unknown")
        assert source.answers[("mta-sts.slow.test", POLICY)].error in ("timeout", "no-time")

        access = PolicyAccess.from_settings()
        start = time.monotonic()
        lookup = asyncio.run(
            policyfetch.fetch_async(
                "mta-sts.slow.test", "127.0.0.1", port=access.port, context=access.context,
                timeout=0.5,
            )
        )  # fmt: skip
        assert time.monotonic() - start < 1.5 and lookup.error == "timeout"
    finally:
        del policy_server.delay["mta-sts.slow.test"]


def test_certificate_is_checked_on_both_paths(policy_server):
    access = PolicyAccess.from_settings()
    host = "mta-sts.mta-sts-wrong-cert.test"
    sync = policyfetch.fetch(host, "127.0.0.1", port=access.port, context=access.context)
    together = asyncio.run(
        policyfetch.fetch_async(host, "127.0.0.1", port=access.port, context=access.context)
    )
    assert sync.error == together.error == "tls-certificate"
    system = policyfetch.fetch(
        "mta-sts.mta-sts-good.test", "127.0.0.1", port=access.port,
        context=policyfetch.tls_context(),
    )  # fmt: skip
    assert system.error == "tls-certificate"  # the test CA is not one the system trusts


def _ds_of(domain: str) -> str:
    for line in (ZONES / "test.zone").read_text().splitlines():
        if line.startswith(domain.removesuffix(".test") + " DS "):
            return line.split(" DS ", 1)[1]
    raise LookupError(domain)


def test_a_hosted_zone_is_checked_against_the_ds_the_portal_shows(nsd, provider):
    ds = _ds_of("dnssec-signed.test")
    policy = mtasts.policy_text(provider.mx_hosts)
    good = diagnose(
        "dnssec-signed.test",
        provider=provider,
        nameserver=nsd.address,
        zone=ZoneFacts(ds_records=(ds,), mta_sts_policy=policy),
    )
    checks = {c.name: c for c in good.checks}
    assert checks["dnssec"].status == "ok"
    assert [r.value for r in checks["dnssec"].records] == [ds]
    # No _mta-sts in that zone: for a zone we host that is ours to fix, not optional.
    assert checks["mta_sts"].status == "warning"
    assert "Wir tragen ihn wieder ein" in checks["mta_sts"].message

    wrong = diagnose(
        "dnssec-signed.test",
        provider=provider,
        nameserver=nsd.address,
        zone=ZoneFacts(ds_records=(_ds_of("dnssec-ds-mismatch.test"),), mta_sts_policy=policy),
    )
    dnssec = next(c for c in wrong.checks if c.name == "dnssec")
    assert dnssec.status == "error" and "Wir beheben das" in dnssec.message


def test_a_hosted_policy_is_the_one_the_portal_serves(nsd, provider):
    """No HTTPS fetch for a zone we host: the TXT id must name the portal's policy."""
    policy = mtasts.policy_text(provider.mx_hosts)
    result = diagnose(
        "mta-sts-good.test",
        provider=provider,
        nameserver=nsd.address,
        zone=ZoneFacts(mta_sts_policy=policy),
    )
    check = next(c for c in result.checks if c.name == "mta_sts")
    assert check.status == "warning" and "nennt nicht die id" in check.message
    assert check.records[1].value == mtasts.sts_record_value(policy)


def test_certificate_match_rules():
    import hashlib

    cert_records = ("0 " + b"cert".hex(), "1 " + b"spki".hex())
    spki256 = hashlib.sha256(b"spki").hexdigest()
    assert certificate_matches([f"3 1 1 {spki256}"], cert_records) is True
    assert certificate_matches(["3 0 0 " + b"cert".hex()], cert_records) is True
    assert certificate_matches(["3 0 2 " + hashlib.sha512(b"cert").hexdigest()], cert_records)
    assert certificate_matches(["3 1 1 " + "00" * 32], cert_records) is False
    # A DANE-TA record may match the chain, which is not read: no verdict.
    assert certificate_matches(["3 1 1 " + "00" * 32, "2 1 1 " + "00" * 32], cert_records) is None


def test_an_mx_without_starttls_is_said_on_both_paths():
    server = SmtpServer(starttls=False).start()
    try:
        sync = smtpcert.fetch("relay.test", "127.0.0.1", port=server.port)
        together = asyncio.run(smtpcert.fetch_async("relay.test", "127.0.0.1", port=server.port))
    finally:
        server.stop()
    assert sync.error == together.error == "no-starttls"
    server = SmtpServer().start()
    try:
        sync = smtpcert.fetch("relay.test", "127.0.0.1", port=server.port)
        together = asyncio.run(smtpcert.fetch_async("relay.test", "127.0.0.1", port=server.port))
    finally:
        server.stop()
    assert sync == together and sync.records[1].startswith("1 3059")  # an EC P-256 key
