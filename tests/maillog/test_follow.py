"""maillog_follow: rows per message and recipient, position kept with them, rotation and
truncation, restarts that neither lose nor repeat a line."""

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command

from mailservices.maillog.follow import LogReader, Position
from mailservices.maillog.models import Delivery, FollowPosition
from mailservices.maillog.services import deliveries_prune

CORPUS = Path(__file__).parent / "corpus"
pytestmark = pytest.mark.django_db


def _stamp(minute: int, second: int = 0) -> str:
    now = datetime.now(UTC)
    return now.replace(minute=minute % 60, second=second).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def message_lines(qid: str, sender: str, recipient: str, *, status="sent", dsn="2.0.0", n=0):
    t = _stamp(n % 60)
    return [
        f"{t} mx postfix/smtpd[1]: {qid}: client=pc[198.51.100.9], sasl_method=PLAIN, "
        f"sasl_username={sender}",
        f"{t} mx postfix/cleanup[2]: {qid}: message-id=<{qid}@test>",
        f"{t} mx postfix/qmgr[3]: {qid}: from=<{sender}>, size=100, nrcpt=1 (queue active)",
        f"{t} mx postfix/smtp[4]: {qid}: to=<{recipient}>, relay=mx.x.example[192.0.2.1]:25, "
        f"delay=0.1, delays=0/0/0/0.1, dsn={dsn}, status={status} (250 2.0.0 ok {qid})",
        f"{t} mx postfix/qmgr[3]: {qid}: removed",
    ]


def _append(path: Path, lines) -> None:
    with open(path, "a") as out:
        out.write("".join(f"{line}\n" for line in lines))


def _follow(path: Path):
    call_command("maillog_follow", "--file", str(path), "--once")


def test_rows_with_owners_resolved(world, tmp_path):
    path = tmp_path / "mail.log"
    path.write_text((CORPUS / "mixed.log").read_text())
    _follow(path)
    rows = {(d.recipient, d.status) for d in Delivery.objects.all()}
    assert ("bob@partner.example", "sent") in rows
    assert ("carla@langsam.example", "sent") in rows
    assert ("carla@langsam.example", "deferred") not in rows  # one row, updated
    assert Delivery.objects.count() == 13
    bob = Delivery.objects.get(recipient="bob@partner.example")
    assert bob.sender_address_id == world["anna"].pk
    assert bob.sender_service_id == world["service_a"].pk
    assert bob.recipient_address_id is None
    # Received through the alias verkauf@ -> anna.
    received = Delivery.objects.get(recipient="anna@kunde-a.ch", status="sent")
    assert received.recipient_address_id == world["anna"].pk
    assert received.sender_address_id is None
    # Our sending-limit deferral counts for the (logged-in) sender ben.
    limit = Delivery.objects.get(recipient="liste@verein.example")
    assert limit.sender_address_id == world["ben"].pk
    assert limit.queue_id is None
    # A forged envelope sender refused before queueing is not shown as "sent by" anyone.
    unknown = Delivery.objects.get(recipient="gibtsnicht@kunde-a.ch")
    assert (unknown.sender_address_id, unknown.recipient_address_id) == (None, None)
    position = FollowPosition.objects.get(path=str(path))
    assert position.offset == path.stat().st_size
    assert position.inode == path.stat().st_ino
    assert position.lines == 34


def test_restart_continues_where_it_stopped(world, tmp_path):
    path = tmp_path / "mail.log"
    _append(path, message_lines("AAAA000001", "anna@kunde-a.ch", "x1@remote.example"))
    _follow(path)
    _follow(path)  # nothing new: nothing repeated
    assert Delivery.objects.count() == 1
    _append(path, message_lines("AAAA000002", "anna@kunde-a.ch", "x2@remote.example"))
    _follow(path)
    assert sorted(Delivery.objects.values_list("recipient", flat=True)) == [
        "x1@remote.example",
        "x2@remote.example",
    ]
    assert FollowPosition.objects.get().lines == 10


def test_half_written_line_waits_for_its_newline(world, tmp_path):
    path = tmp_path / "mail.log"
    lines = message_lines("AAAA000003", "anna@kunde-a.ch", "x3@remote.example")
    _append(path, lines[:3])
    with open(path, "a") as out:
        out.write(lines[3][:40])
    _follow(path)
    assert Delivery.objects.count() == 0
    with open(path, "a") as out:
        out.write(lines[3][40:] + "\n")
    _follow(path)
    assert Delivery.objects.get().status == "sent"
    assert Delivery.objects.get().sender == "anna@kunde-a.ch"


def test_deferred_then_sent_after_a_restart_is_one_row(world, tmp_path):
    path = tmp_path / "mail.log"
    lines = message_lines("AAAA000004", "anna@kunde-a.ch", "x4@remote.example")
    deferred = lines[3].replace("dsn=2.0.0, status=sent", "dsn=4.2.0, status=deferred")
    _append(path, [*lines[:3], deferred])
    _follow(path)
    assert Delivery.objects.get().status == "deferred"
    _append(path, lines[3:])  # a new process: its parser never saw the message start
    _follow(path)
    row = Delivery.objects.get()
    assert (row.status, row.sender_address_id, row.message_id) == (
        "sent",
        world["anna"].pk,
        "AAAA000004@test",
    )


def test_expiry_after_a_restart_finds_the_deferred_rows(world, tmp_path):
    path = tmp_path / "mail.log"
    lines = message_lines("AAAA000012", "anna@kunde-a.ch", "gone@remote.example")
    deferred = lines[3].replace("dsn=2.0.0, status=sent", "dsn=4.4.1, status=deferred")
    _append(path, [*lines[:3], deferred])
    _follow(path)
    expired = lines[2].replace(
        "size=100, nrcpt=1 (queue active)", "status=expired, returned to sender"
    )
    _append(path, [expired, lines[4]])
    _follow(path)
    row = Delivery.objects.get()
    assert (row.status, row.dsn, row.sender_address_id) == ("expired", "4.4.1", world["anna"].pk)


def test_rotation_while_following_loses_nothing(world, tmp_path):
    path = tmp_path / "mail.log"
    _append(path, message_lines("AAAA000005", "anna@kunde-a.ch", "r1@remote.example"))
    _follow(path)
    # Rotation: the writer still appends one message to the renamed file, then reopens.
    _append(path, message_lines("AAAA000006", "anna@kunde-a.ch", "r2@remote.example"))
    os.rename(path, tmp_path / "mail.log.1")
    _append(tmp_path / "mail.log.1", message_lines("AAAA000007", "anna@kunde-a.ch", "r3@x.ch"))
    _append(path, message_lines("AAAA000008", "anna@kunde-a.ch", "r4@remote.example"))
    _follow(path)
    assert Delivery.objects.count() == 4
    _append(path, message_lines("AAAA000009", "anna@kunde-a.ch", "r5@remote.example"))
    _follow(path)
    assert Delivery.objects.count() == 5
    assert FollowPosition.objects.get().inode == path.stat().st_ino


def test_truncation_reads_from_the_start(world, tmp_path):
    path = tmp_path / "mail.log"
    _append(path, message_lines("AAAA000010", "anna@kunde-a.ch", "t1@remote.example"))
    _follow(path)
    with open(path, "w") as out:  # copytruncate
        out.write("")
    _append(path, message_lines("AAAA000011", "anna@kunde-a.ch", "t2@remote.example")[:4])
    _follow(path)
    assert Delivery.objects.count() == 2


def test_reader_positions_are_exact(tmp_path):
    path = tmp_path / "mail.log"
    path.write_bytes(b"one\ntwo\nthree\nfour")
    reader = LogReader(str(path))
    assert reader.read_batch(2) == ["one", "two"]
    assert reader.position.offset == 8
    assert reader.read_batch(10) == ["three"]
    assert reader.read_batch(10) == []
    again = LogReader(str(path), position=Position(reader.inode, reader.offset))
    with open(path, "ab") as out:
        out.write(b"\nfive\n")
    assert again.read_batch(10) == ["four", "five"]
    gone = LogReader(str(path), position=Position(1, 5))  # unknown inode: from the start
    assert gone.read_batch(1) == ["one"]
    assert gone.notes


def test_prune_keeps_the_retention(world, settings):
    settings.PORTAL_MAILLOG_RETENTION_DAYS = 30
    now = datetime.now(UTC)
    for days in (1, 29, 31, 45):
        Delivery.objects.create(
            time=now - timedelta(days=days),
            queued_at=now - timedelta(days=days),
            recipient=f"d{days}@x.example",
            status="sent",
        )
    assert deliveries_prune(now=now, batch=1) == 2
    assert sorted(Delivery.objects.values_list("recipient", flat=True)) == [
        "d1@x.example",
        "d29@x.example",
    ]


def test_schedule_names_the_prune_task():
    from mailservices.maillog import tasks
    from mailservices.maillog.schedule import SCHEDULE

    assert SCHEDULE["maillog-deliveries-prune"]["task"] == tasks.deliveries_prune_task.name
