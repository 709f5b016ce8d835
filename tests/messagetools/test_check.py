"""The message check on whole messages: attachment name tricks, links, phrases, SPF, bad MIME."""

import pytest

from messagetools.engine import NotAMessage, check_message
from tests.messagetools import builders as b
from tests.messagetools.conftest import SpfStub


def codes(report):
    return sorted(f.code for f in report.findings)


# -- attachment names, whatever the encoding ----------------------------------------------------
@pytest.mark.parametrize(
    "part_headers",
    [
        # RFC 2231 with charset and percent-encoding, hiding a right-to-left override
        "Content-Type: application/octet-stream\r\n"
        "Content-Disposition: attachment; filename*=utf-8''Rechnung%E2%80%AEfdp.exe",
        # RFC 2231 continuations
        "Content-Type: application/octet-stream\r\n"
        "Content-Disposition: attachment; filename*0*=utf-8''Rech; filename*1=\"nung.BAT\"",
        # RFC 2047 encoded word in the parameter (not standard, but common)
        'Content-Type: application/octet-stream; name="=?utf-8?b?cmVjaG51bmcucGRmLmV4ZQ==?="',
        "Content-Type: application/octet-stream\r\n"
        'Content-Disposition: attachment; filename="=?iso-8859-1?q?R=E9sum=E9.scr?="',
        # name only in Content-Type, no Content-Disposition at all
        'Content-Type: application/x-msdownload; name="setup.exe"',
        # harmless-looking filename, forbidden name in Content-Type
        'Content-Type: application/octet-stream; name="tool.com"\r\n'
        'Content-Disposition: attachment; filename="tool.txt"',
        # trailing dots and spaces, upper case
        "Content-Type: application/octet-stream\r\n"
        'Content-Disposition: attachment; filename="START.CMD. ."',
    ],
)
def test_forbidden_attachment_names_in_every_encoding(part_headers):
    report = check_message(b.raw_attachment_message(part_headers))
    assert "forbidden_extension" in codes(report), report.findings
    assert report.verdict == "reject"


def test_exact_extension_matching_lets_similar_names_pass():
    for name in ("example.com.txt", "anleitung.js.pdf", "exe.pdf", "bericht.COM.docx"):
        report = check_message(b.message(attachments=[(name, b"data")]))
        assert report.verdict == "pass", (name, report.findings)


def test_right_to_left_override_is_also_reported_as_deceptive():
    report = check_message(b.message(attachments=[("Rechnung\u202efdp.exe", b"MZ")]))
    assert codes(report) == ["deceptive_filename", "forbidden_extension"]
    deceptive = next(f for f in report.findings if f.code == "deceptive_filename")
    assert "<U+202E>" in deceptive.detail  # shown, not rendered


def test_forbidden_file_inside_attached_message():
    inner = b.message(attachments=[("virus.scr", b"MZ")])
    outer = b.message(attachments=[("weitergeleitet.eml", inner, "message/rfc822")])
    assert "forbidden_extension" in codes(check_message(outer))


# -- links -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "href",
    [
        "http//.domain.xyz",
        "https:/domain.xyz/a",
        "http://.domain.xyz",
        "http://domain..xyz/",
        "http://[::1",
        "https://exa mple.ch",
        "http://domain.xyz:99999/",
        "www.domain.xyz",
        "hxxp://domain.xyz",
        "http://intranet/",
    ],
)
def test_malformed_links(href):
    report = check_message(b.message(html=f'<p><a href="{href}">Angebot</a></p>'))
    assert "link_malformed" in codes(report), report.findings


@pytest.mark.parametrize(
    "href",
    [
        "https://www.domain.xyz/angebot?x=1#a",
        "mailto:info@domain.xyz",
        "tel:+41441234567",
        "#oben",
        "https://bücher.ch/",
        "http://192.0.2.1/",
        "https://[2001:db8::1]/",
        "https://domain.xyz./",
    ],
)
def test_good_links(href):
    report = check_message(b.message(html=f'<p><a href="{href}">hier</a></p>'))
    assert report.verdict == "pass", report.findings


def test_malformed_link_in_plain_text_and_signature():
    report = check_message(b.message(text="Besuchen Sie http//.domain.xyz\n\n-- \nAnna\n"))
    assert "link_malformed" in codes(report)


def test_link_text_showing_another_domain():
    html = '<a href="https://login.bank-sicher.example/">www.meinebank.ch</a>'
    report = check_message(b.message(html=html))
    [finding] = [f for f in report.findings if f.code == "link_text_mismatch"]
    assert "www.meinebank.ch" in finding.detail and "login.bank-sicher.example" in finding.detail


@pytest.mark.parametrize(
    "html",
    [
        # same registrable domain
        '<a href="https://e.meinebank.ch/track?id=1">www.meinebank.ch</a>',
        '<a href="https://www.meinebank.ch/">Zum Login</a>',  # text shows no domain
        '<a href="https://shop.example.co.uk/">example.co.uk</a>',  # public suffix with two labels
        '<a href="https://x.ch/">Rechnung.pdf</a>',  # a file name is not a domain
    ],
)
def test_link_texts_that_are_fine(html):
    report = check_message(b.message(html=html))
    assert "link_text_mismatch" not in codes(report), report.findings


def test_active_html_content_is_reported():
    report = check_message(b.message(html="<form action='x'><script>alert(1)</script></form>"))
    assert "html_active_content" in codes(report)


# -- spam phrases ------------------------------------------------------------------------------
def test_spam_phrases_scored_across_languages():
    text = (
        "Félicitations, vous avez gagné! Cliquez ici. "
        "You have won a prize, act now. Sie haben gewonnen, 100% kostenlos."
    )
    report = check_message(b.message(text=text))
    [finding] = [f for f in report.findings if f.code == "spam_phrases"]
    assert finding.severity == "reject"
    for phrase in ("vous avez gagné", "you have won", "sie haben gewonnen"):
        assert phrase in finding.detail


def test_a_single_mild_phrase_is_only_a_hint():
    report = check_message(b.message(text="Klicken Sie hier für das Protokoll."))
    [finding] = [f for f in report.findings if f.code == "spam_phrases"]
    assert finding.severity == "info"
    assert report.verdict == "pass"


def test_shouting_subject_counts():
    report = check_message(b.message(subject="NUR HEUTE GRATIS FÜR SIE!!!", text="Hallo"))
    assert "spam_phrases" in codes(report)


def test_ordinary_business_mail_passes():
    text = "Guten Tag Herr Keller\n\nAnbei die Offerte für die Renovation.\n\nFreundliche Grüsse\n"
    assert check_message(b.message(text=text)).verdict == "pass"


# -- SPF through the diagnosis -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("status", "code", "severity"),
    [
        ("ok", "spf_pass", "info"),
        ("warning", "spf_warn", "warn"),
        ("error", "spf_fail", "reject"),
        ("unknown", "spf_unknown", "info"),
    ],
)
def test_spf_status_of_sender_domain(status, code, severity):
    stub = SpfStub(status=status, message="Befund der Diagnose")
    report = check_message(b.message(sender="Anna <anna@Muster-Firma.ch>"), spf_checker=stub)
    assert stub.domains == ["muster-firma.ch"]
    [finding] = [f for f in report.findings if f.code.startswith("spf_")]
    assert (finding.code, finding.severity) == (code, severity)
    assert "Befund der Diagnose" in finding.detail


def test_spf_errors_do_not_break_the_check():
    def broken(domain):
        raise TimeoutError

    report = check_message(b.message(), spf_checker=broken)
    assert codes(report) == ["spf_unknown"]


def test_spf_goes_through_the_diagnosis_check_spf(spf):
    from messagetools.spf import sender_spf

    check_message(b.message(sender="x@firma.example"), spf_checker=sender_spf)
    assert spf.domains == ["firma.example"]


def test_real_check_spf_with_a_stub_resolver(monkeypatch):
    """The diagnosis' own check_spf, answered by a stub at the DNS edge."""
    import dns.message
    import dns.name
    import dns.rdataclass
    import dns.rdatatype
    import dns.resolver
    import dns.rrset
    from django.conf import settings

    monkeypatch.undo()  # use the real check_spf
    from mailservices.diagnosis.checks import check_spf

    networks = " ".join(
        f"ip6:{n}" if ":" in n else f"ip4:{n}" for n in settings.PORTAL_OUTBOUND_IPS
    )
    records = {
        ("firma.example.", "TXT"): [f'"v=spf1 include:{settings.PORTAL_SPF_INCLUDE} -all"'],
        (f"{settings.PORTAL_SPF_INCLUDE}.", "TXT"): [f'"v=spf1 {networks} -all"'],
    }

    class StubResolver:
        def resolve(self, name, rdtype, **kwargs):
            key = (str(name), str(rdtype))
            if key not in records:
                raise dns.resolver.NXDOMAIN(qnames=[dns.name.from_text(str(name))])
            query = dns.message.make_query(str(name), rdtype)
            response = dns.message.make_response(query)
            qname = dns.name.from_text(str(name))
            rrset = response.find_rrset(
                response.answer, qname, dns.rdataclass.IN, dns.rdatatype.from_text(rdtype),
                create=True,
            )  # fmt: skip
            rrset.update(dns.rrset.from_text(str(name), 300, "IN", rdtype, *records[key]))
            return dns.resolver.Answer(
                qname,
                dns.rdatatype.from_text(rdtype),
                dns.rdataclass.IN,
                response,
            )

    resolver = StubResolver()
    good = check_message(
        b.message(sender="x@firma.example"),
        spf_checker=lambda domain: check_spf(domain, resolver=resolver),
    )
    missing = check_message(
        b.message(sender="x@ohne-spf.example"),
        spf_checker=lambda domain: check_spf(domain, resolver=resolver),
    )
    assert [f.code for f in good.findings] == ["spf_pass"], good.findings
    assert [f.code for f in missing.findings] == ["spf_fail"]


# -- bad input ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"   \n\n",
        bytes(range(256)) * 4,
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"Hallo Bruno, wie geht's?\n",
        b"X-Foo: bar\n\nkein Mail-Kopf",
    ],
)
def test_not_a_message(data):
    with pytest.raises(NotAMessage):
        check_message(data)


def test_truncated_mime_is_checked_as_far_as_readable():
    full = b.message(attachments=[("a.exe", b"MZ" * 100), ("b.pdf", b"%PDF" * 100)])
    truncated = full[: full.index(b"b.pdf") + 40]
    report = check_message(truncated)
    assert "forbidden_extension" in codes(report)
    assert "message_defect" in codes(report)


def test_unknown_charset_is_read_as_utf8():
    raw = (
        b"From: a@example.org\nTo: b@example.org\nSubject: x\nMIME-Version: 1.0\n"
        b"Content-Type: text/plain; charset=x-klingonisch\n\nSie haben gewonnen \xe4\xff\n"
    )
    report = check_message(raw)
    assert "charset_unknown" in codes(report)
    assert "spam_phrases" in codes(report)


def test_wrong_declared_charset_does_not_break_the_check():
    raw = (
        "From: a@example.org\nTo: b@example.org\nSubject: =?utf-8?q?Gr=FCsse?=\nMIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=us-ascii\n\nGrüsse aus Zürich http//.domain.xyz\n"
    ).encode()
    report = check_message(raw)
    assert "link_malformed" in codes(report)


def test_json_shape():
    report = check_message(b.message(attachments=[("a.exe", b"MZ")]))
    data = report.as_dict()
    assert set(data) == {"verdict", "findings"}
    assert data["verdict"] == "reject"
    assert set(data["findings"][0]) == {"code", "severity", "detail", "location"}


def test_spf_dns_timeout_is_unknown_and_never_rejects(monkeypatch):
    """A sender domain whose DNS does not answer: the real check_spf says "unknown", and the
    message check turns that into an info-level note, not a rejection (NXDOMAIN stays an
    error, see above)."""
    import socket

    from mailservices.diagnosis.resolver import make_resolver
    from messagetools.spf import sender_spf

    monkeypatch.undo()  # the diagnosis' real check_spf
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    silent.bind(("127.0.0.1", 0))  # receives the questions, never answers
    try:
        resolver = make_resolver(f"127.0.0.1:{silent.getsockname()[1]}")
        resolver.timeout = resolver.lifetime = 0.2
        report = check_message(
            b.message(sender="x@firma.example"),
            spf_checker=lambda domain: sender_spf(domain, resolver=resolver),
        )
    finally:
        silent.close()
    [finding] = report.findings
    assert (finding.code, finding.severity) == ("spf_unknown", "info")
    assert "nicht antwortete" in finding.detail or "did not answer" in finding.detail
    assert report.verdict == "pass"
