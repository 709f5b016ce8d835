"""The LMTP intake's protocol, without sockets."""

from mailservices.reports.lmtp import LmtpSession


def _session(delivered, ok=True, max_bytes=10_000):
    def deliver(raw, recipients):
        delivered.append((raw, recipients))
        return ok

    return LmtpSession(hostname="mx.test", deliver=deliver, max_bytes=max_bytes)


def _talk(session, *lines):
    replies = []
    for line in lines:
        replies += session.feed(line.encode())
    return [r.decode() for r in replies]


def test_one_mail_two_recipients_one_reply_each():
    delivered = []
    session = _session(delivered)
    replies = _talk(
        session,
        "LHLO postfix",
        "MAIL FROM:<noreply@receiver.example> SIZE=100",
        "RCPT TO:<DMARC-Reports@alpenpost.example>",
        "RCPT TO:<tlsrpt-reports@alpenpost.example>",
        "DATA",
        "Subject: report",
        "",
        "..dot-stuffed line",
        ".",
        "QUIT",
    )
    assert replies[-3:] == ["250 2.0.0 Report queued", "250 2.0.0 Report queued", "221 2.0.0 Bye"]
    [(raw, recipients)] = delivered
    assert recipients == ["dmarc-reports@alpenpost.example", "tlsrpt-reports@alpenpost.example"]
    assert raw == b"Subject: report\r\n\r\n.dot-stuffed line\r\n"


def test_database_away_is_a_temporary_failure():
    session = _session([], ok=False)
    replies = _talk(session, "LHLO x", "MAIL FROM:<>", "RCPT TO:<a@b>", "DATA", "x", ".")
    assert replies[-1].startswith("451 4.3.0")


def test_too_big_and_out_of_order():
    delivered = []
    session = _session(delivered, max_bytes=10)
    assert _talk(session, "MAIL FROM:<>")[0].startswith("503")
    replies = _talk(session, "LHLO x", "DATA", "MAIL FROM:<>", "RCPT TO:<a@b>", "DATA")
    assert "503 5.5.1 Need RCPT first" in replies  # DATA before RCPT
    replies = _talk(session, "x" * 50, ".")
    assert replies == ["552 5.3.4 Message too big for the report intake"]
    assert delivered == []
