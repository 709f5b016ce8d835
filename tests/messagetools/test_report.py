"""What a phishing report keeps: headers, Received chain, addresses, URLs, attachment hashes."""

import hashlib

from messagetools.engine.report import extract_report, parse_received
from tests.messagetools import builders as b


def phishing_message():
    return b.message(
        subject="Ihr Konto wird gesperrt",
        sender="Bank Sicherheit <sicherheit@bank-sicher.example>",
        headers={
            "Reply-To": "antwort@anderswo.example",
            "Return-Path": "<bounce@versand.example>",
            "Received": "from versand.example (versand.example [198.51.100.7]) by "
            "mx1.alpenpost.example with ESMTPS id ABC123 for <anna@demo-kunde.ch>; "
            "Thu, 26 Nov 2026 08:12:03 +0100",
        },
        text="Bitte bestätigen: https://login.bank-sicher.example/a?b=1\n",
        html='<a href="https://evil.example/login">www.meinebank.ch</a> '
        '<a href="https://login.bank-sicher.example/a?b=1">hier</a>',
        attachments=[("formular.html", b"<form>"), ("rechnung.zip", b.zip_bytes({"a.txt": b"x"}))],
    )


def test_everything_staff_need_is_extracted():
    raw = phishing_message()
    report = extract_report(raw)
    assert report.subject == "Ihr Konto wird gesperrt"
    assert report.from_address == "sicherheit@bank-sicher.example"
    assert report.reply_to == "antwort@anderswo.example"
    assert report.return_path == "<bounce@versand.example>"
    assert report.message_id == "<test-1@example.org>"
    assert ["Subject", "Ihr Konto wird gesperrt"] in report.headers
    [hop] = report.received
    assert (hop["from"], hop["ip"], hop["by"], hop["with"], hop["id"]) == (
        "versand.example", "198.51.100.7", "mx1.alpenpost.example", "ESMTPS", "ABC123",
    )  # fmt: skip
    assert hop["for"] == "anna@demo-kunde.ch"
    assert hop["date"].startswith("Thu, 26 Nov 2026")
    urls = [u["url"] for u in report.urls]
    assert urls == ["https://login.bank-sicher.example/a?b=1", "https://evil.example/login"]
    names = [a["filename"] for a in report.attachments]
    assert names == ["formular.html", "rechnung.zip"]
    assert report.attachments[0]["sha256"] == hashlib.sha256(b"<form>").hexdigest()
    assert report.attachments[0]["size"] == 6
    signals = " ".join(report.signals)
    assert "anderswo.example" in signals and "versand.example" in signals
    assert "www.meinebank.ch" in signals


def test_received_without_date_or_parts():
    hop = parse_received("from unknown")
    assert hop["from"] == "unknown" and hop["by"] == "" and hop["date"] == ""
