"""The Postfix log parser on our own corpus of log lines (tests/maillog/corpus)."""

import gzip
import json
import os
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from mailservices.maillog.parser import MaillogParser, Message, parse_lines

CORPUS = Path(__file__).parent / "corpus"
ZURICH = ZoneInfo("Europe/Zurich")
NOW = datetime(2026, 12, 11, 12, 0, tzinfo=UTC)


def _parse(name, **options):
    options.setdefault("now", NOW)
    options.setdefault("tz", ZURICH)
    with open(CORPUS / name) as lines:
        return parse_lines(lines, **options)


def _by(outcomes, recipient):
    found = [o for o in outcomes if o.recipient == recipient]
    assert len(found) == 1, found
    return found[0]


def test_outgoing_message_each_recipient_final_outcome():
    outcomes = _parse("mixed.log")
    bob = _by(outcomes, "bob@partner.example")
    assert bob.queue_id == "4NQ1aB2cDzz4wX"  # a long queue id
    assert bob.status == "sent"
    assert bob.sender == "anna@kunde-a.ch"
    assert bob.sasl_login == "anna@kunde-a.ch"  # lower-cased
    assert bob.message_id == "20261206100001.1@kunde-a.ch"
    assert bob.relay == "mx.partner.example[192.0.2.25]:25"
    assert bob.dsn == "2.0.0"
    assert bob.reason == "250 2.0.0 Ok: queued as 7A1B2C3D"
    assert bob.time == datetime(2026, 12, 6, 10, 0, 2, tzinfo=ZURICH)

    nobody = _by(outcomes, "nobody@partner.example")
    assert (nobody.status, nobody.dsn) == ("bounced", "5.1.1")
    assert "User unknown" in nobody.reason

    # Deferred by greylisting, then sent: only the final outcome, one row.
    carla = _by(outcomes, "carla@langsam.example")
    assert carla.status == "sent"
    assert carla.time == datetime(2026, 12, 6, 10, 5, 10, tzinfo=ZURICH)
    assert carla.queued_at == datetime(2026, 12, 6, 10, 0, 1, tzinfo=ZURICH)


def test_rejections_before_and_after_queueing():
    outcomes = _parse("mixed.log")
    unknown = _by(outcomes, "gibtsnicht@kunde-a.ch")
    assert unknown.queue_id is None
    assert (unknown.status, unknown.dsn) == ("rejected", "5.1.1")
    assert unknown.sender == "info@fremd.example"
    assert unknown.relay is None
    assert unknown.reason.startswith("550 5.1.1 <gibtsnicht@kunde-a.ch>: Recipient address")
    assert unknown.client == "mail.fremd.example[203.0.113.50]"

    # Our own policy service's sending-limit deferral, from an IPv6 client.
    limit = _by(outcomes, "liste@verein.example")
    assert (limit.queue_id, limit.status, limit.dsn) == (None, "rejected", "4.7.1")
    assert limit.sender == "ben@kunde-b.ch"
    assert "Sending limit reached" in limit.reason
    assert limit.reason.endswith("/usage/addresses/7/")
    assert limit.client == "pc-3.kunde-b.example[2001:db8:5::3]"

    anna = [o for o in outcomes if o.recipient == "anna@kunde-a.ch"]
    assert [o.status for o in anna] == ["sent", "rejected"]
    milter = anna[1]
    assert (milter.queue_id, milter.dsn) == ("C239mN0pQ", "5.7.1")
    assert milter.sender == "promo@spam.example"
    assert "Spam message rejected" in milter.reason

    header = _by(outcomes, "ben@kunde-b.ch")
    assert (header.status, header.dsn) == ("rejected", "5.7.0")
    assert "headers rule filter" in header.reason


def test_local_delivery_alias_and_other_agents():
    outcomes = _parse("mixed.log")
    anna = next(o for o in outcomes if o.recipient == "anna@kunde-a.ch")
    assert anna.orig_recipient == "verkauf@kunde-a.ch"
    assert anna.sender == "info@fremd.example"
    assert anna.relay == "mail.alpenpost.example[private/dovecot-lmtp]"
    assert anna.service == "lmtp"
    assert _by(outcomes, "root@mx1.alpenpost.example").status == "sent"
    full = _by(outcomes, "alt@kunde-c.ch")
    assert (full.status, full.dsn, full.reason) == ("bounced", "5.2.2", "mailbox full")
    assert _by(outcomes, "dmarc-reports@alpenpost.example").relay == "portal-reports"
    error = _by(outcomes, "x@kaputt.example")
    assert (error.status, error.relay) == ("bounced", None)


def test_expired_after_deferrals():
    outcomes = _parse("mixed.log")
    expired = _by(outcomes, "kunde@tot.example")
    assert expired.status == "expired"
    assert expired.dsn == "4.4.1"
    assert "Connection timed out" in expired.reason
    assert expired.sender == "shop@kunde-a.ch"
    assert expired.time == datetime(2026, 12, 11, 10, 8, 31, tzinfo=ZURICH)


def test_expiry_bounce_keeps_expired():
    lines = [
        "Dec  6 10:00:01 mx postfix/qmgr[2]: ABCDEF1234: from=<a@x.example>, size=1, nrcpt=1 "
        "(queue active)",
        "Dec  6 10:00:02 mx postfix/smtp[3]: ABCDEF1234: to=<r@y.example>, relay=none, "
        "delay=1, delays=0/0/1/0, dsn=4.4.1, status=deferred (connect to y[192.0.2.2]:25: "
        "Connection refused)",
        "Dec 11 10:00:03 mx postfix/qmgr[2]: ABCDEF1234: from=<a@x.example>, status=expired, "
        "returned to sender",
        "Dec 11 10:00:03 mx postfix/error[4]: ABCDEF1234: to=<r@y.example>, relay=none, "
        "delay=432001, delays=432001/0/0/0, dsn=4.4.1, status=bounced (delivery temporarily "
        "suspended: connect to y[192.0.2.2]:25: Connection refused)",
    ]
    [outcome] = parse_lines(lines, now=NOW, tz=UTC)
    assert (outcome.status, outcome.dsn) == ("expired", "4.4.1")


def test_unknown_lines_are_skipped_not_errors():
    parser = MaillogParser(now=NOW)
    for line in (CORPUS / "mixed.log").read_text().splitlines():
        parser.feed(line)
    assert parser.lines == 34
    assert parser.skipped >= 5  # connect, bounce notice, anvil, dovecot, garbage, "said:"
    for junk in ("", "\x00\xff", "Dec 99 99:99:99 x postfix/smtp[1]: Q: to=<", "x" * 10000):
        parser.feed(junk)


def test_rfc3339_timestamps_and_offsets():
    outcomes = _parse("rfc3339.log")
    [dora] = outcomes
    assert dora.status == "bounced"
    assert dora.sasl_login == "carla@kunde-c.ch"
    assert dora.time == datetime(2026, 12, 6, 9, 0, 3, tzinfo=UTC)
    assert dora.queued_at == datetime(2026, 12, 6, 9, 0, 1, 123456, tzinfo=UTC)


@pytest.mark.parametrize(
    ("stamp", "now", "year"),
    [
        ("Dec  6 10:00:01", datetime(2026, 12, 6, 12, tzinfo=UTC), 2026),
        ("Dec 31 23:59:59", datetime(2027, 1, 1, 0, 5, tzinfo=UTC), 2026),  # read in January
        ("Jan  1 00:00:01", datetime(2026, 12, 31, 23, tzinfo=UTC), 2027 - 1 + 1),  # a day ahead
        ("Feb 29 12:00:00", datetime(2028, 3, 1, tzinfo=UTC), 2028),
    ],
)
def test_year_inference(stamp, now, year):
    parser = MaillogParser(now=now, tz=UTC)
    parser.feed(
        f"{stamp} mx postfix/error[1]: ABCDEF123: to=<a@b.example>, relay=none, delay=0, "
        "delays=0/0/0/0, dsn=5.0.0, status=bounced (x)"
    )
    [outcome] = parser.drain()
    assert outcome.time.year == year


def test_fractional_seconds_of_postfix_own_log_file():
    parser = MaillogParser(now=NOW, tz=UTC)
    parser.feed(
        "Dec  6 10:00:01.250000 mx postfix/error[1]: ABCDEF123: to=<a@b.example>, "
        "relay=none, delay=0, delays=0/0/0/0, dsn=5.0.0, status=bounced (x)"
    )
    [outcome] = parser.drain()
    assert outcome.time == datetime(2026, 12, 6, 10, 0, 1, 250000, tzinfo=UTC)


def test_queue_id_reuse_gives_two_rows():
    lines = (CORPUS / "reuse.log").read_text().splitlines()
    outcomes = parse_lines(lines, now=NOW, tz=UTC)
    assert [(o.sender, o.status) for o in outcomes] == [
        ("a@x.example", "sent"),
        ("b@x.example", "bounced"),
    ]


def test_lookup_completes_a_message_first_seen_midway():
    """After a follower restart, a delivery line's message comes from the lookup."""
    known = Message(
        queue_id="ABCDEF1234",
        queued_at=datetime(2026, 12, 6, 9, tzinfo=UTC),
        sender="a@x.example",
        sasl_login="a@x.example",
        message_id="m@x",
    )
    parser = MaillogParser(now=NOW, tz=UTC, lookup={"ABCDEF1234": known}.get)
    parser.feed(
        "Dec  6 10:00:02 mx postfix/smtp[3]: ABCDEF1234: to=<r@y.example>, relay=y[192.0.2.2]:25,"
        " delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)"
    )
    [outcome] = parser.drain()
    assert (outcome.sender, outcome.sasl_login, outcome.message_id) == (
        "a@x.example",
        "a@x.example",
        "m@x",
    )
    assert outcome.queued_at == known.queued_at


def _command_json(path) -> list:
    os.utime(path, (NOW.timestamp(), NOW.timestamp()))
    out = StringIO()
    call_command("maillog_parse", str(path), "--json", stdout=out)
    return json.loads(out.getvalue())


def test_command_json_shape(tmp_path):
    path = tmp_path / "mail.log"
    path.write_text((CORPUS / "mixed.log").read_text())
    rows = _command_json(path)
    assert all(
        set(row) == {"queue_id", "time", "sender", "recipient", "status", "dsn", "relay", "reason"}
        for row in rows
    )
    bob = next(r for r in rows if r["recipient"] == "bob@partner.example")
    assert bob == {
        "queue_id": "4NQ1aB2cDzz4wX",
        "time": "2026-12-06T10:00:02+01:00",
        "sender": "anna@kunde-a.ch",
        "recipient": "bob@partner.example",
        "status": "sent",
        "dsn": "2.0.0",
        "relay": "mx.partner.example[192.0.2.25]:25",
        "reason": "250 2.0.0 Ok: queued as 7A1B2C3D",
    }
    rejected = next(r for r in rows if r["recipient"] == "gibtsnicht@kunde-a.ch")
    assert (rejected["queue_id"], rejected["relay"]) == (None, None)
    assert {r["status"] for r in rows} == {"sent", "bounced", "rejected", "expired"}


def test_command_reads_gzip(tmp_path):
    path = tmp_path / "mail.log.1.gz"
    path.write_bytes(gzip.compress((CORPUS / "rfc3339.log").read_bytes()))
    [row] = _command_json(path)
    assert row["status"] == "bounced"
    assert row["time"] == "2026-12-06T09:00:03+00:00"


def test_command_missing_file_is_an_error_not_a_traceback(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("maillog_parse", str(tmp_path / "nope.log"), "--json")
