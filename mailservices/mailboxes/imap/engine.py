"""Preview and copy a mailbox from one IMAP server to another (pure: no ORM, no Django models).

Resumable and idempotent: per source folder the caller keeps (UIDVALIDITY, last UID copied
without a gap) through `Hooks`; on top, every message is identified by (Message-ID, size,
INTERNALDATE) and one already in the target folder is skipped, so a run killed between an
APPEND and its checkpoint copies nothing twice when it resumes. Memory: message bodies are
held one batch at a time (`batch_bytes`), metadata per folder.
"""

import email.parser
import email.policy
import imaplib
import re
import time
from collections import Counter
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from mailservices.mailboxes.imap.connection import ImapError, quote
from mailservices.mailboxes.imap.folders import Folder, list_folders

KEPT_FLAGS = ("\\Seen", "\\Answered", "\\Flagged", "\\Draft")
_KEPT = {f.lower(): f for f in KEPT_FLAGS}

_UID = re.compile(rb"\bUID (\d+)")
_SIZE = re.compile(rb"\bRFC822\.SIZE (\d+)")
_DATE = re.compile(rb'\bINTERNALDATE "([^"]+)"')
_FLAGS = re.compile(rb"\bFLAGS \(([^)]*)\)")
_STORAGE = re.compile(rb"STORAGE (\d+) (\d+)")
_HEADERS = email.parser.BytesHeaderParser(policy=email.policy.default)


@dataclass
class MessageInfo:
    uid: int
    size: int = 0
    internaldate: str = ""
    flags: tuple[str, ...] = ()
    message_id: str = ""
    subject: str = ""

    @property
    def timestamp(self) -> int:
        parsed = imaplib.Internaldate2tuple(f'INTERNALDATE "{self.internaldate}"'.encode())
        return int(time.mktime(parsed)) if parsed else 0

    @property
    def key(self) -> tuple[str, int, int]:
        """What identifies a message across servers (both keep size and received date)."""
        return (self.message_id, self.size, self.timestamp)


@dataclass(frozen=True)
class Failure:
    folder: str  # decoded name
    uid: int
    subject: str
    reason: str


@dataclass
class Result:
    status: str = "done"  # done | failed | cancelled
    folders: int = 0
    copied: int = 0
    skipped: int = 0
    failed: int = 0
    error: str | None = None
    error_code: str = ""
    failures: list[Failure] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "status": self.status,
            "folders": self.folders,
            "copied": self.copied,
            "skipped": self.skipped,
            "failed": self.failed,
            "error": self.error,
        }


class Hooks:
    """What the caller keeps and decides; the defaults keep nothing (a one-shot copy)."""

    def resume_point(self, folder: str, uidvalidity: int) -> int:
        """The last UID of `folder` copied without a gap at this UIDVALIDITY (0: none)."""
        return 0

    def checkpoint(self, folder: str, uidvalidity: int, last_uid: int) -> None:
        """Everything up to `last_uid` of `folder` is in the target."""

    def progress(self, done: int, total: int, result: Result) -> None:
        """Called after each batch with messages handled so far."""

    def should_stop(self) -> bool:
        """True to cancel between two messages."""
        return False


# --- reading ---------------------------------------------------------------------------------


def _check(typ, data, what: str) -> None:
    if typ != "OK":
        detail = data[0].decode("utf-8", "replace") if data and data[0] else typ
        raise ImapError("server", f"{what}: {detail}")


def _examine(client: imaplib.IMAP4, name: str, *, readonly: bool) -> tuple[int, int]:
    """Selects a folder; returns (UIDVALIDITY, number of messages)."""
    typ, data = client.select(quote(name), readonly=readonly)
    _check(typ, data, _("Ordner %s nicht lesbar") % name)
    exists = int(data[0] or 0)
    validity = client.response("UIDVALIDITY")[1]
    return int(validity[0]) if validity and validity[0] else 0, exists


def _parse_fetch(data: list, *, with_body: bool) -> dict[int, tuple[MessageInfo, bytes]]:
    found: dict[int, tuple[MessageInfo, bytes]] = {}
    current: MessageInfo | None = None
    for item in data:
        if isinstance(item, tuple):
            head, literal = item[0], item[1]
            current = _info(head)
            found[current.uid] = (current, literal)
            if not with_body:
                headers = _HEADERS.parsebytes(literal)
                current.message_id = str(headers.get("Message-ID", "") or "").strip()
                current.subject = str(headers.get("Subject", "") or "").strip()
        elif isinstance(item, bytes):
            if item.startswith((b")", b" ")) and current is not None:
                flags = _FLAGS.search(item)  # items after the literal
                if flags:
                    current.flags = _flags(flags.group(1))
            elif _UID.search(item):
                current = _info(item)
                found[current.uid] = (current, b"")
    return found


def _flags(raw: bytes) -> tuple[str, ...]:
    return tuple(_KEPT[f.lower()] for f in raw.decode().split() if f.lower() in _KEPT)


def _info(head: bytes) -> MessageInfo:
    uid = _UID.search(head)
    info = MessageInfo(uid=int(uid.group(1)) if uid else 0)
    if size := _SIZE.search(head):
        info.size = int(size.group(1))
    if date := _DATE.search(head):
        info.internaldate = date.group(1).decode()
    if flags := _FLAGS.search(head):
        info.flags = _flags(flags.group(1))
    return info


def fetch_infos(client: imaplib.IMAP4) -> list[MessageInfo]:
    """Metadata of every message of the selected folder, by UID."""
    typ, data = client.uid(
        "FETCH",
        "1:*",
        "(UID RFC822.SIZE INTERNALDATE FLAGS BODY.PEEK[HEADER.FIELDS (MESSAGE-ID SUBJECT)])",
    )
    _check(typ, data, "FETCH")
    infos = [info for info, _body in _parse_fetch(data, with_body=False).values() if info.uid]
    return sorted(infos, key=lambda i: i.uid)


def fetch_bodies(client: imaplib.IMAP4, uids: list[int]) -> dict[int, bytes]:
    typ, data = client.uid("FETCH", ",".join(map(str, uids)), "(UID BODY.PEEK[])")
    _check(typ, data, "FETCH")
    return {uid: body for uid, (_info, body) in _parse_fetch(data, with_body=True).items()}


def target_quota(client: imaplib.IMAP4) -> tuple[int, int] | None:
    """(used bytes, limit bytes) of our mailbox from Dovecot's imap_quota, or None."""
    if "QUOTA" not in client.capabilities:
        return None
    typ, data = client.getquotaroot("INBOX")
    if typ != "OK":
        return None
    for part in data:
        for line in part if isinstance(part, list) else [part]:
            match = _STORAGE.search(line if isinstance(line, bytes) else b"")
            if match:
                return int(match.group(1)) * 1024, int(match.group(2)) * 1024
    return None


def preview(source: imaplib.IMAP4, *, progress=None) -> list[Folder]:
    """The source's folders with their message counts and sizes (nothing is changed).

    `progress(done, total)` is called with the folders counted so far (after the list, and
    after each folder); it may raise to stop.
    """
    folders = list_folders(source)
    total = sum(1 for folder in folders if folder.selectable)
    done = 0
    if progress:
        progress(done, total)
    for folder in folders:
        if not folder.selectable:
            continue
        _validity, exists = _examine(source, folder.name, readonly=True)
        if exists:
            typ, data = source.uid("FETCH", "1:*", "(UID RFC822.SIZE)")
            _check(typ, data, "FETCH")
            sizes = [
                int(m.group(1))
                for d in data
                if isinstance(d, bytes)
                for m in [_SIZE.search(d)]
                if m
            ]
            folder.messages, folder.bytes = len(sizes), sum(sizes)
        done += 1
        if progress:
            progress(done, total)
    return folders


# --- copying ---------------------------------------------------------------------------------


def _ensure_target(target: imaplib.IMAP4, name: str) -> None:
    if name == "INBOX":
        return
    typ, data = target.create(quote(name))
    if typ != "OK":
        text = b" ".join(d for d in data if isinstance(d, bytes)).upper()
        if b"ALREADYEXISTS" not in text and b"EXISTS" not in text:
            _check(typ, data, _("Ordner %s konnte nicht angelegt werden") % name)
    target.subscribe(quote(name))


def _target_keys(target: imaplib.IMAP4, name: str) -> Counter:
    _validity, exists = _examine(target, name, readonly=False)
    if not exists:
        return Counter()
    return Counter(info.key for info in fetch_infos(target))


def run_import(
    source: imaplib.IMAP4,
    target: imaplib.IMAP4,
    *,
    hooks: Hooks | None = None,
    max_message_bytes: int,
    batch_bytes: int = 8 * 1024 * 1024,
    batch_messages: int = 200,
) -> Result:
    """Copies every folder of `source` into `target`; never raises for one bad message."""
    copier = _Copier(
        source,
        target,
        hooks=hooks or Hooks(),
        max_message_bytes=max_message_bytes,
        batch_bytes=batch_bytes,
        batch_messages=batch_messages,
    )
    result = copier.result
    try:
        copier.run()
    except _Cancelled:
        result.status = "cancelled"
    except _QuotaFull:
        result.status = "failed"
        result.error_code = "quota"
        result.error = _(
            "Import angehalten, bevor der Speicherplatz des Postfachs voll war: "
            "%(copied)s Nachrichten kopiert, weitere passen nicht mehr. Schaffen Sie Platz "
            "oder lassen Sie den Speicherplatz erhöhen und starten Sie den Import erneut."
        ) % {"copied": result.copied}
    except ImapError as exc:
        result.status, result.error, result.error_code = "failed", str(exc), exc.code
    except (imaplib.IMAP4.abort, OSError, EOFError):
        result.status, result.error_code = "failed", "connection"
        result.error = _("Die Verbindung wurde unterbrochen; der Import kann fortgesetzt werden.")
    return result


class _QuotaFull(Exception):
    pass


class _Cancelled(Exception):
    pass


class _Copier:
    def __init__(self, source, target, *, hooks, max_message_bytes, batch_bytes, batch_messages):
        self.source, self.target, self.hooks = source, target, hooks
        self.max_message_bytes = max_message_bytes
        self.batch_bytes, self.batch_messages = batch_bytes, batch_messages
        self.result = Result()
        self.done = self.total = 0
        self.limit: int | None = None
        self.reserved = 0  # bytes in the target, counting the batch being copied

    def run(self) -> None:
        folders = list_folders(self.source)
        counts = {f.name: _count(self.source, f) for f in folders if f.selectable}
        self.total = sum(counts.values())
        quota = target_quota(self.target)
        if quota:
            self.reserved, self.limit = quota
        self.hooks.progress(0, self.total, self.result)
        for folder in folders:
            _ensure_target(self.target, folder.target)
            self.result.folders += 1
            if folder.selectable and counts.get(folder.name):
                self._copy_folder(folder)

    def _copy_folder(self, folder: Folder) -> None:
        validity, _exists = _examine(self.source, folder.name, readonly=True)
        infos = fetch_infos(self.source)
        resume = self.hooks.resume_point(folder.name, validity)
        have = _target_keys(self.target, folder.target)
        pending = []
        for info in infos:
            if have[info.key] > 0:
                have[info.key] -= 1
            elif info.uid > resume:
                pending.append(info)
                continue
            self.result.skipped += 1
            self.done += 1
        state = {"checkpoint": True, "folder": folder, "validity": validity}
        batch: list[MessageInfo] = []
        for info in pending:
            if self.hooks.should_stop():
                self._flush(batch, state)
                raise _Cancelled
            if info.size > self.max_message_bytes:
                reason = _("zu gross (%(size)s MB; höchstens %(max)s MB pro Nachricht)") % {
                    "size": _mb(info.size),
                    "max": _mb(self.max_message_bytes),
                }
                self._fail(folder, info, reason, state)
                continue
            if self.limit is not None and self.reserved + info.size > self.limit:
                self._flush(batch, state)
                raise _QuotaFull
            batch.append(info)
            self.reserved += info.size
            if sum(i.size for i in batch) >= self.batch_bytes or len(batch) >= self.batch_messages:
                self._flush(batch, state)
        self._flush(batch, state)

    def _flush(self, batch: list[MessageInfo], state: dict) -> None:
        if not batch:
            return
        folder = state["folder"]
        bodies = fetch_bodies(self.source, [i.uid for i in batch])
        ready = []
        for info in batch:
            if info.uid in bodies:
                ready.append((info, bodies[info.uid]))
            else:
                self._fail(folder, info, _("an der Quelle nicht mehr vorhanden"), state)
        # One MULTIAPPEND per batch (one transaction, one fsync on the server); it is atomic,
        # so when the server refuses it nothing was stored and each message goes alone.
        if not (len(ready) > 1 and _append_many(self.target, folder.target, ready)):
            for info, body in ready:
                reason = _append(self.target, folder.target, info, body)
                if reason is _QuotaFull:
                    self._checkpoint(state)
                    raise _QuotaFull
                if reason:
                    self._fail(folder, info, reason, state)
                else:
                    self._copied(info, state)
        else:
            for info, _body in ready:
                self._copied(info, state)
        batch.clear()
        self._checkpoint(state)
        self.hooks.progress(self.done, self.total, self.result)

    def _copied(self, info: MessageInfo, state: dict) -> None:
        self.result.copied += 1
        self.done += 1
        if state["checkpoint"]:
            state["last_uid"] = info.uid

    def _checkpoint(self, state: dict) -> None:
        if state.get("last_uid"):
            self.hooks.checkpoint(state["folder"].name, state["validity"], state["last_uid"])

    def _fail(self, folder: Folder, info: MessageInfo, reason: str, state: dict) -> None:
        # After a failure the checkpoint stays put: a rerun tries the message again.
        state["checkpoint"] = False
        self.done += 1
        self.result.failed += 1
        self.result.failures.append(
            Failure(folder=folder.display, uid=info.uid, subject=info.subject[:200], reason=reason)
        )


def _count(source: imaplib.IMAP4, folder: Folder) -> int:
    typ, data = source.status(quote(folder.name), "(MESSAGES)")
    if typ != "OK" or not data or not isinstance(data[0], bytes):
        return 0
    match = re.search(rb"MESSAGES (\d+)", data[0])
    return int(match.group(1)) if match else 0


def _append_many(target, name: str, items: list[tuple[MessageInfo, bytes]]) -> bool:
    """MULTIAPPEND (RFC 3502) with non-synchronising literals (LITERAL+): one round trip
    for the whole batch. False when the server lacks either or refuses the batch."""
    caps = target.capabilities
    if "MULTIAPPEND" not in caps or "LITERAL+" not in caps:
        return False
    tag = target._new_tag()
    parts = [tag + b" APPEND " + quote(name).encode()]
    for info, body in items:  # bodies fetched over IMAP already end lines with CRLF
        flags = ("(" + " ".join(info.flags) + ")") if info.flags else "()"
        date = f' "{info.internaldate}"' if info.internaldate else ""
        parts.append(f" {flags}{date} {{{len(body)}+}}\r\n".encode() + body)
    target.send(b"".join(parts) + b"\r\n")
    try:
        typ, _data = target._command_complete("APPEND", tag)
    except imaplib.IMAP4.error:
        return False
    return typ == "OK"


def _append(target, name: str, info: MessageInfo, body: bytes):
    flags = "(" + " ".join(info.flags) + ")" if info.flags else None
    date = f'"{info.internaldate}"' if info.internaldate else None
    try:
        typ, data = target.append(quote(name), flags, date, body)
    except imaplib.IMAP4.error as exc:
        return str(exc)[:200]
    if typ == "OK":
        return None
    text = b" ".join(d for d in data if isinstance(d, bytes)).decode("utf-8", "replace")
    if "OVERQUOTA" in text.upper() or "quota" in text.lower():
        return _QuotaFull
    return text[:200] or typ


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}"
