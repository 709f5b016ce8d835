"""The MTA-STS / TLS-RPT / DANE evaluation (pure: an answer book and a policy fetcher)."""

from mailservices.diagnosis.dns import ANSWER, FAILURE, NXDOMAIN, AnswerBook, Lookup
from mailservices.hosteddns import mtasts

POLICY = mtasts.policy_text(["mx1.alp.example", "mx2.alp.example"])


def book(sts=None, tlsrpt=None, mx=("10 mx1.alp.example.", "20 mx2.alp.example."), tlsa=None):
    b = AnswerBook()

    def add(name, rtype, records, outcome=None):
        outcome = outcome or (ANSWER if records else NXDOMAIN)
        b.add(Lookup(name, rtype, outcome, tuple(records or ())))

    add("_mta-sts.d.test", "TXT", sts if sts is not None else [mtasts.sts_record_value(POLICY)])
    add("_smtp._tls.d.test", "TXT",
        tlsrpt if tlsrpt is not None else ["v=TLSRPTv1; rua=mailto:r@alp.example"])  # fmt: skip
    add("d.test", "MX", mx)
    for value in mx:
        host = value.split()[-1].rstrip(".")
        add(f"_25._tcp.{host}", "TLSA", (tlsa or {}).get(host, []))
    return b


def test_a_consistent_set_up_is_ok():
    assert mtasts.evaluate("d.test", book(), lambda d: POLICY) == [("ok", "ok")]


def test_missing_records_and_unreachable_policy():
    found = {k: s for s, k in mtasts.evaluate("d.test", book(sts=[], tlsrpt=[]), lambda d: None)}
    assert found == {"sts-missing": "warning", "tlsrpt-missing": "warning"}
    found = mtasts.evaluate("d.test", book(), lambda d: None)
    assert found == [("error", "policy-unreachable")]


def test_an_mx_the_policy_does_not_cover_is_an_error_in_enforce_mode():
    mx = ("10 mx1.alp.example.", "20 backup.other.example.")
    found = mtasts.evaluate("d.test", book(mx=mx), lambda d: POLICY)
    assert found == [("error", "policy-mx-uncovered:backup.other.example")]
    testing = POLICY.replace("mode: enforce", "mode: testing")
    found = mtasts.evaluate("d.test", book(mx=mx), lambda d: testing)
    assert found == [("warning", "policy-mx-uncovered:backup.other.example")]


def test_tlsa_of_mx_hosts_is_checked_where_published():
    good = {"mx1.alp.example": ["3 1 1 " + "ab" * 32]}
    assert mtasts.evaluate("d.test", book(tlsa=good), lambda d: POLICY) == [("ok", "ok")]
    bad = {"mx1.alp.example": ["3 1 x zz"]}
    found = mtasts.evaluate("d.test", book(tlsa=bad), lambda d: POLICY)
    assert found == [("error", "tlsa-invalid:mx1.alp.example")]


def test_a_dns_failure_is_unknown():
    b = book()
    b.add(Lookup("d.test", "MX", FAILURE, error="timeout"))
    assert mtasts.evaluate("d.test", b, lambda d: POLICY) == [("unknown", "dns-failure")]
