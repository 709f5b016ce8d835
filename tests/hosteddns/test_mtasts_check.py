"""What the hosted DNS serves for MTA-STS (`mtasts`: the policy, its id, the TLS-RPT record)
judged by the diagnosis' one MTA-STS/TLS-RPT/DANE check, on hand-filled answers."""

from mailservices.diagnosis.checks import ProviderFacts, ZoneFacts
from mailservices.diagnosis.checks.mta_sts import evaluate_mta_sts
from mailservices.diagnosis.dns import (
    ANSWER,
    FAILURE,
    NXDOMAIN,
    POLICY,
    SMTP_CERT,
    AnswerBook,
    Lookup,
)
from mailservices.hosteddns import mtasts

MX = ("mx1.alp.example", "mx2.alp.example")
POLICY_TEXT = mtasts.policy_text(MX)
PROVIDER = ProviderFacts(
    mail_host="mail.alp.example",
    mx_hosts=MX,
    spf_include="spf.alp.example",
    outbound_networks=("192.0.2.0/28",),
    dkim_selector="alp2026",
    mta_sts_host="mta-sts.alp.example",
    tlsrpt_rua="mailto:r@alp.example",
)


def book(
    sts=None,
    tlsrpt=None,
    mx=("10 mx1.alp.example.", "20 mx2.alp.example."),
    tlsa=None,
    policy=POLICY_TEXT,
):
    """The answers of d.test; `policy` None: the policy host cannot be reached."""
    b = AnswerBook()

    def add(name, rtype, records, outcome=None, error=""):
        outcome = outcome or (ANSWER if records else NXDOMAIN)
        b.add(Lookup(name, rtype, outcome, tuple(records or ()), error=error))

    add("_mta-sts.d.test", "TXT", [mtasts.sts_record_value(POLICY_TEXT)] if sts is None else sts)
    rua = [mtasts.tlsrpt_record_value(PROVIDER.tlsrpt_rua)]
    add("_smtp._tls.d.test", "TXT", rua if tlsrpt is None else tlsrpt)
    add("d.test", "MX", mx)
    add("mta-sts.d.test", "A", ["192.0.2.4"])
    add("mta-sts.d.test", "AAAA", [])
    if policy is None:
        add("mta-sts.d.test", POLICY, [], outcome=FAILURE, error="refused")
    else:
        add("mta-sts.d.test", POLICY, [policy, "text/plain"])
    for value in mx:
        host = value.split()[-1].rstrip(".")
        add(f"_25._tcp.{host}", "TLSA", (tlsa or {}).get(host, []))
        add(host, "A", ["192.0.2.1"])
        add(host, "AAAA", [])
        add(host, SMTP_CERT, [], outcome=FAILURE, error="refused")
    return b


def check(answers, zone=None):
    return evaluate_mta_sts("d.test", answers, PROVIDER, zone)


def test_what_we_serve_is_ok():
    result = check(book())
    assert result.status == "ok"
    assert "MTA-STS ist eingerichtet" in result.message
    assert [r.value for r in result.records if r.type == "TXT"] == [
        mtasts.sts_record_value(POLICY_TEXT),
        mtasts.tlsrpt_record_value(PROVIDER.tlsrpt_rua),
    ]


def test_a_hosted_zone_is_checked_against_the_policy_we_serve():
    served = ZoneFacts(mta_sts_policy=POLICY_TEXT)
    assert check(book(policy=None), zone=served).status == "ok"  # not fetched: we serve it
    changed = ZoneFacts(mta_sts_policy=mtasts.policy_text(MX, max_age=1209600))
    result = check(book(), zone=changed)
    assert result.status == "warning" and "nennt nicht die id" in result.message
    missing = check(book(sts=[], tlsrpt=[]), zone=served)
    assert missing.status == "warning" and "fehlt in Ihrer Zone" in missing.message


def test_missing_records_are_optional_and_an_unreachable_policy_is_an_error():
    assert check(book(sts=[], tlsrpt=[])).status == "ok"
    result = check(book(policy=None))
    assert result.status == "error" and "nicht abrufbar" in result.message


def test_an_mx_the_policy_does_not_cover_is_an_error_in_enforce_mode():
    mx = ("10 mx1.alp.example.", "20 backup.other.example.")
    result = check(book(mx=mx))
    assert result.status == "error" and "backup.other.example" in result.message
    testing = mtasts.policy_text(MX, mode="testing")
    result = check(book(mx=mx, policy=testing))
    assert result.status == "warning" and "backup.other.example" in result.message


def test_tlsa_of_mx_hosts_is_checked_where_published():
    good = {h: ["3 1 1 " + "ab" * 32] for h in MX}
    assert check(book(tlsa=good)).status == "ok"
    bad = {"mx1.alp.example": ["3 1 x zz"], "mx2.alp.example": ["3 1 1 " + "ab" * 32]}
    result = check(book(tlsa=bad))
    assert result.status == "error" and "_25._tcp.mx1.alp.example" in result.message


def test_a_dns_failure_is_unknown():
    b = book()
    b.add(Lookup("d.test", "MX", FAILURE, error="timeout"))
    assert check(b).status == "unknown"
