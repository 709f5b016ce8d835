"""The bounce explainer: DSN (RFC 3464) and free text, codes per RFC 3463, plain advice."""

import pytest
from django.utils import translation

from messagetools.engine.bounce import explain_bounce

DSN = b"""From: MAILER-DAEMON@mx1.alpenpost.example
To: anna@muster.ch
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B1"

--B1
Content-Type: text/plain; charset=us-ascii

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

--B1
Content-Type: message/delivery-status

Reporting-MTA: dns; mx1.alpenpost.example

Final-Recipient: rfc822; kunde@example.net
Original-Recipient: rfc822;kunde@example.net
Action: failed
Status: 5.7.0
Remote-MTA: dns; mx.example.net
Diagnostic-Code: smtp; 554 5.7.0 AV: Message is rejected by headers rule filter..
    Please check the message and try again

Final-Recipient: rfc822; zweiter@example.net
Action: failed
Status: 5.7.0
Diagnostic-Code: smtp; 554 5.7.0 AV: Message is rejected by headers rule filter..

--B1
Content-Type: text/rfc822-headers

From: Anna Muster <anna@muster.ch>
To: kunde@example.net
Subject: Offerte Renovation

--B1--
"""


def test_dsn_is_parsed_with_recipients_codes_and_original():
    result = explain_bounce(DSN)
    assert result.is_dsn
    assert (result.smtp_code, result.enhanced_code) == ("554", "5.7.0")
    assert result.kind == "spam_rejected"
    assert result.guide_slug == "spam-abgelehnt"
    assert "headers rule filter" in result.remote_text
    assert [r.address for r in result.recipients] == ["kunde@example.net", "zweiter@example.net"]
    assert result.recipients[0].remote_mta == "mx.example.net"
    assert result.recipients[0].action == "failed"
    assert result.original_sender == "anna@muster.ch"
    assert result.original_subject == "Offerte Renovation"
    assert not result.temporary


@pytest.mark.parametrize(
    ("text", "kind", "smtp", "enhanced", "slug", "temporary"),
    [
        (
            "554 5.7.0 AV: Message is rejected by headers rule filter.. Please check the message",
            "spam_rejected", "554", "5.7.0", "spam-abgelehnt", False,
        ),
        ("Spam Message Rejected", "spam_rejected", "", "", "spam-abgelehnt", False),
        (
            "<x@example.net>: host mx.example.net said: 550 5.1.1 <x@example.net>: Recipient "
            "address rejected: User unknown in virtual mailbox table",
            "no_such_user", "550", "5.1.1", "", False,
        ),
        ("550-5.1.1 The email account that you tried to reach does not exist.",
         "no_such_user", "550", "5.1.1", "", False),
        (
            "451 4.7.1 <anna@muster.ch>: Sending limit exceeded (1440 recipients per 24h), "
            "try again later",
            "sending_limit", "451", "4.7.1", "versandlimits", True,
        ),
        ("452 4.2.2 Mailbox full", "mailbox_full", "452", "4.2.2", "", True),
        ("552 5.3.4 Message size exceeds fixed limit", "message_too_big", "552", "5.3.4", "",
         False),
        ("554 5.7.1 <x@y.ch>: Relay access denied", "relay_denied", "554", "5.7.1",
         "mailclient-einrichten", False),
        ("550 5.7.23 SPF validation failed", "auth_failed", "550", "5.7.23", "dns-eintraege",
         False),
        ("450 4.7.1 Greylisted, please retry later", "greylisted", "450", "4.7.1", "", True),
        ("Host or domain name not found. Name service error for name=exampel.ch",
         "domain_not_found", "", "", "", False),
    ],
)  # fmt: skip
def test_free_text(text, kind, smtp, enhanced, slug, temporary):
    result = explain_bounce(text)
    assert (result.kind, result.smtp_code, result.enhanced_code) == (kind, smtp, enhanced)
    assert result.guide_slug == slug
    assert result.temporary is temporary
    assert result.shows_limits is (kind == "sending_limit")
    assert result.found_anything


def test_remote_words_are_taken_from_multiline_replies():
    text = (
        "Remote server replied:\n"
        "550-5.1.1 The email account that you tried to reach does not exist. Please try\n"
        "550-5.1.1 double-checking the recipient's email address for typos or\n"
        "550 5.1.1 unnecessary spaces.\n"
    )
    result = explain_bounce(text)
    assert "double-checking" in result.remote_text and "unnecessary spaces" in result.remote_text


def test_pasted_dsn_fields_use_the_diagnostic_code():
    text = "Final-Recipient: rfc822; k@example.net\nStatus: 5.7.0\nDiagnostic-Code: smtp; 554 5.7.0 AV: Message is rejected by headers rule filter"  # noqa: E501
    result = explain_bounce(text)
    assert result.remote_text.startswith("554 5.7.0 AV")


def test_enhanced_code_meaning_follows_rfc_3463():
    result = explain_bounce("550 5.1.1 nope")
    assert "5.1.1" in result.code_meaning
    assert "Postfach der Empfängeradresse gibt es nicht" in result.code_meaning


def test_explanations_in_english():
    with translation.override("en"):
        result = explain_bounce("550 5.1.1 user unknown")
    assert result.title == "Recipient address does not exist"
    assert "does not exist" in result.code_meaning


def test_nothing_found():
    result = explain_bounce("Hallo, wie geht es dir? 500 Franken sind viel.")
    assert not result.found_anything
    assert result.remote_text == ""


def test_smtp_code_alone_at_line_start():
    result = explain_bounce("Die Antwort war:\n554 Transaction failed: spam content")
    assert (result.smtp_code, result.kind) == ("554", "spam_rejected")


def test_binary_garbage_does_not_raise():
    result = explain_bounce(bytes(range(256)) * 100)
    assert result.kind == "unknown"
