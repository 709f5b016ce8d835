"""Postfix's log, read line by line into one outcome per message and recipient. No I/O, no ORM.

`MaillogParser.feed(line)` follows each queue id from smtpd (client, SASL login) through
cleanup (message-id) and qmgr (sender) to the delivery agents (smtp, lmtp, local, virtual,
pipe, error, ...) and emits an `Outcome` whenever a recipient's status changes: `sent`,
`bounced`, `deferred`, `expired` (qmgr gave up), `rejected` (smtpd or cleanup refused it,
before or after queueing). A recipient's later outcome replaces its earlier one: the
consumer keeps the last per key. Lines it does not know are skipped.

Both timestamp styles are read: the traditional `Dec  6 10:00:01` (also with fractional
seconds, as Postfix's own `maillog_file` writes), whose year is inferred from a reference
time, and RFC 3339 (`2026-12-06T10:00:01.123+01:00`, rsyslog's high-precision format).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo

SENT = "sent"
BOUNCED = "bounced"
DEFERRED = "deferred"
REJECTED = "rejected"
EXPIRED = "expired"
STATUSES = (SENT, BOUNCED, DEFERRED, REJECTED, EXPIRED)
# A delivery agent's status word -> ours (verify's deliverable/undeliverable are probes).
_AGENT_STATUS = {"sent": SENT, "bounced": BOUNCED, "deferred": DEFERRED, "expired": EXPIRED}
FINAL = frozenset({SENT, BOUNCED, EXPIRED, REJECTED})

MAX_FIELD = 320  # an address's longest legal form
MAX_REASON = 1000
_AHEAD = timedelta(days=1)
MAX_OPEN_MESSAGES = 200_000  # the oldest open queue ids are forgotten past this

_MONTHS = {
    m: i
    for i, m in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}

# timestamp, host, program[pid]: message
_LINE = re.compile(
    r"(?:(?P<bsd>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d)(?:\.(?P<frac>\d{1,6}))?"
    r"|(?P<iso>\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?))"
    r" \S+ (?P<prog>[\w./-]+)(?:\[\d+\])?: (?P<msg>.*)"
)
# Short ids are upper-case hex; long ids (enable_long_queue_ids) mix cases, with a "z".
_QUEUED = re.compile(r"([0-9A-Za-z]{5,20}): (.*)")
_CLIENT = re.compile(
    r"client=([^,\s]*)(?:, sasl_method=[^,]*)?(?:, sasl_username=([^,]*))?(?:, |$)"
)
_FROM = re.compile(r"from=<([^>]*)>, (?:size=\d+, nrcpt=\d+|status=(\w+))")
_DELIVERY = re.compile(
    r"to=<([^>]*)>, (?:orig_to=<([^>]*)>, )?relay=([^,]*), .*?"
    r"dsn=(\d\.\d{1,3}\.\d{1,3}), status=(\w+)(?: \((.*)\))?$"
)
_REJECT = re.compile(
    r"(?:milter-)?reject: (?:RCPT|MAIL|DATA|END-OF-MESSAGE|header .*?|body .*?) from "
    r"([^\s\[;]*\[[^\]]*\](?::\d+)?|[^:;\s]*)(?:: |; )?(.*?); "
    r"from=<([^>]*)>(?: to=<([^>]*)>)?(?: proto=\S+)?(?: helo=<[^>]*>)?"
    r"(?:: (.*))?$"
)
_REPLY = re.compile(r"(?:(\d{3})[ -])?(\d\.\d{1,3}\.\d{1,3})?\s*(.*)", re.S)


@dataclass(slots=True)
class Message:
    """What is known about one queue id so far."""

    queue_id: str
    queued_at: datetime | None = None
    client: str = ""
    sasl_login: str = ""
    message_id: str = ""
    sender: str | None = None
    recipients: dict = field(default_factory=dict)  # recipient -> Outcome
    complete: bool = True  # False: seen first mid-way (a follower restart); may be looked up


@dataclass(slots=True)
class Outcome:
    """The (current) fate of one recipient of one message, or of one rejected attempt."""

    queue_id: str | None
    time: datetime
    sender: str
    recipient: str
    status: str
    dsn: str = ""
    relay: str | None = None
    reason: str = ""
    sasl_login: str = ""
    message_id: str = ""
    client: str = ""
    orig_recipient: str = ""
    queued_at: datetime | None = None
    service: str = ""  # the Postfix program that logged it (smtp, lmtp, smtpd, ...)

    @property
    def key(self) -> tuple:
        """What identifies a row: a queued message's recipient, or one rejected attempt."""
        if self.queue_id is None:
            return (None, self.time, self.sender, self.recipient, id(self))
        return (self.queue_id, self.queued_at, self.recipient)

    def as_json(self) -> dict:
        """The shape `maillog_parse --json` prints (issue 15, exactly these keys)."""
        return {
            "queue_id": self.queue_id,
            "time": self.time.isoformat(),
            "sender": self.sender,
            "recipient": self.recipient,
            "status": self.status,
            "dsn": self.dsn,
            "relay": self.relay,
            "reason": self.reason,
        }


def _clip(value: str, limit: int = MAX_FIELD) -> str:
    return value if len(value) <= limit else value[:limit]


def _reason_of(text: str) -> tuple[str, str]:
    """(dsn, reply text) of an SMTP reply such as `550 5.1.1 <x>: Recipient ... rejected`."""
    match = _REPLY.match(text)
    return (match.group(2) or "", text.strip()) if match else ("", text.strip())


class MaillogParser:
    """Feeds on Postfix log lines; `drain()` hands out the outcomes emitted since last time.

    `now` is the reference for traditional timestamps without a year: a date more than a
    day after it belongs to the year before. `tz` is the zone those timestamps are written
    in (the mail server's local time). `lookup(queue_id)` may return a `Message` for a queue
    id first seen mid-way (after a follower restart); without it such rows keep what the
    line itself says.
    """

    def __init__(
        self,
        *,
        now: datetime | None = None,
        tz: tzinfo = UTC,
        lookup: Callable[[str], Message | None] | None = None,
        max_open: int = MAX_OPEN_MESSAGES,
    ):
        self.tz = tz
        self.now = (now or datetime.now(UTC)).astimezone(tz)
        self.lookup = lookup
        self.max_open = max_open
        self.messages: dict[str, Message] = {}
        self.out: list[Outcome] = []
        self.lines = 0
        self.skipped = 0
        self._ts_cache: dict[str, datetime] = {}

    # --- time -----------------------------------------------------------------------------
    def _bsd_time(self, stamp: str) -> datetime:
        cached = self._ts_cache.get(stamp)
        if cached is not None:
            return cached
        month = _MONTHS[stamp[:3]]
        day = int(stamp[4:6])
        hour, minute, second = int(stamp[7:9]), int(stamp[10:12]), int(stamp[13:15])
        # The year closest to the reference time that is at most a day after it.
        when = None
        for year in (self.now.year + 1, self.now.year, self.now.year - 1):
            try:
                candidate = datetime(year, month, day, hour, minute, second, tzinfo=self.tz)
            except ValueError:  # 29 February of a common year
                continue
            if candidate - self.now <= _AHEAD:
                when = candidate
                break
        if when is None:
            when = datetime(self.now.year - 4, month, day, hour, minute, second, tzinfo=self.tz)
        if len(self._ts_cache) > 4096:
            self._ts_cache.clear()
        self._ts_cache[stamp] = when
        return when

    # --- the line -------------------------------------------------------------------------
    def feed(self, line: str) -> None:
        """Reads one line (with or without its newline)."""
        self.lines += 1
        match = _LINE.match(line)
        if match is None:
            self.skipped += 1
            return
        prog = match.group("prog")
        agent = prog.rpartition("/")[2]
        handler = _HANDLERS.get(agent)
        if handler is None or "postfix" not in prog:
            self.skipped += 1
            return
        bsd = match.group("bsd")
        if bsd is not None:
            try:
                when = self._bsd_time(bsd)
            except (ValueError, KeyError):  # "Dec 99", "Foo  1"
                self.skipped += 1
                return
            frac = match.group("frac")
            if frac:
                when = when.replace(microsecond=int(frac.ljust(6, "0")))
        else:
            try:
                when = datetime.fromisoformat(match.group("iso").replace(" ", "T", 1))
            except ValueError:
                self.skipped += 1
                return
            if when.tzinfo is None:
                when = when.replace(tzinfo=self.tz)
        msg = match.group("msg").rstrip("\r\n")
        if handler(self, when, agent, msg) is False:
            self.skipped += 1

    def pending(self, limit: int = 10_000) -> list[list]:
        """Messages that have no outcome yet (still in the active queue), as JSON-able
        lists: a follower stores them with its position and `restore()`s them on restart
        (messages with an outcome are found again through `lookup`)."""
        pending = []
        for m in self.messages.values():
            if not m.recipients and m.queued_at is not None:
                pending.append(
                    [
                        m.queue_id,
                        m.queued_at.isoformat(),
                        m.client,
                        m.sasl_login,
                        m.message_id,
                        m.sender,
                    ]
                )
        return pending[-limit:]

    def restore(self, pending: list[list]) -> None:
        for queue_id, queued_at, client, sasl_login, message_id, sender in pending:
            self.messages[queue_id] = Message(
                queue_id=queue_id,
                queued_at=datetime.fromisoformat(queued_at),
                client=client,
                sasl_login=sasl_login,
                message_id=message_id,
                sender=sender,
            )

    def drain(self) -> list[Outcome]:
        out, self.out = self.out, []
        return out

    # --- state ----------------------------------------------------------------------------
    def _message(self, queue_id: str, when: datetime, *, starts: bool) -> Message:
        message = self.messages.get(queue_id)
        if message is None:
            message = None if starts or self.lookup is None else self.lookup(queue_id)
            if message is None:
                message = Message(queue_id=queue_id, queued_at=when, complete=starts)
            if len(self.messages) >= self.max_open:
                self.messages.pop(next(iter(self.messages)))
            self.messages[queue_id] = message
        return message

    def _emit(self, message: Message, when: datetime, recipient: str, status: str, **fields):
        previous = message.recipients.get(recipient)
        # Postfix never delivers a recipient twice; a late deferral after a final status
        # (a duplicate recipient) does not undo it.
        if previous is not None and previous.status in FINAL and status == DEFERRED:
            return
        # The bounce of an expired message (a 4.x.x DSN) is that expiry, not a new outcome.
        if (
            previous is not None
            and previous.status == EXPIRED
            and status == BOUNCED
            and fields.get("dsn", "").startswith("4.")
        ):
            return
        outcome = Outcome(
            queue_id=message.queue_id,
            time=when,
            sender=message.sender or "",
            recipient=recipient,
            status=status,
            sasl_login=message.sasl_login,
            message_id=message.message_id,
            client=message.client,
            queued_at=message.queued_at,
            **fields,
        )
        message.recipients[recipient] = outcome
        self.out.append(outcome)


# --- handlers per Postfix program: (parser, time, program, message) -> False if unknown -----


def _smtpd(p: MaillogParser, when: datetime, agent: str, msg: str):
    if msg.startswith("NOQUEUE: "):
        return _reject(p, when, agent, None, msg[9:])
    match = _QUEUED.match(msg)
    if match is None:
        return False
    queue_id, rest = match.groups()
    if rest.startswith("client="):
        client = _CLIENT.match(rest)
        message = p.messages.get(queue_id)
        if message is not None and message.recipients:
            # A recycled queue id: the old message is gone.
            del p.messages[queue_id]
        message = p._message(queue_id, when, starts=True)
        message.queued_at = message.queued_at or when
        if client:
            message.client = _clip(client.group(1))
            message.sasl_login = _clip((client.group(2) or "").strip().lower())
        return None
    if "reject: " in rest[:20]:
        return _reject(p, when, agent, queue_id, rest)
    return False


def _reject(p: MaillogParser, when: datetime, agent: str, queue_id: str | None, rest: str):
    match = _REJECT.match(rest)
    if match is None:
        return False
    client, reply, sender, recipient, tail = match.groups()
    if recipient is None:
        return False  # MAIL FROM / CONNECT stage: no recipient, nothing to show per address
    if tail and not reply:
        reply = tail  # cleanup's header/body checks put the reply last
    elif tail:
        reply = f"{reply}: {tail}" if reply else tail
    dsn, reason = _reason_of(reply or "")
    if queue_id is None:
        p.out.append(
            Outcome(
                queue_id=None,
                time=when,
                sender=_clip(sender.lower()),
                recipient=_clip(recipient.lower()),
                status=REJECTED,
                dsn=dsn,
                reason=_clip(reason, MAX_REASON),
                client=_clip(client),
                queued_at=when,
                service=agent,
            )
        )
        return None
    message = p._message(queue_id, when, starts=False)
    if message.sender is None:
        message.sender = _clip(sender.lower())
    p._emit(
        message,
        when,
        _clip(recipient.lower()),
        REJECTED,
        dsn=dsn,
        reason=_clip(reason, MAX_REASON),
        service=agent,
    )
    return None


def _cleanup(p: MaillogParser, when: datetime, agent: str, msg: str):
    match = _QUEUED.match(msg)
    if match is None:
        return False
    queue_id, rest = match.groups()
    if rest.startswith("message-id="):
        message = p._message(queue_id, when, starts=True)
        message_id = rest[11:].strip()
        if message_id.startswith("<") and message_id.endswith(">"):
            message_id = message_id[1:-1]
        message.message_id = _clip(message_id, 255)
        return None
    if "reject: " in rest[:20]:
        return _reject(p, when, agent, queue_id, rest)
    return False


def _qmgr(p: MaillogParser, when: datetime, agent: str, msg: str):
    match = _QUEUED.match(msg)
    if match is None:
        return False
    queue_id, rest = match.groups()
    if rest.startswith("from=<"):
        found = _FROM.match(rest)
        if found is None:
            return False
        # "(queue active)" starts a message; an expiry continues one (maybe from the store).
        message = p._message(queue_id, when, starts=found.group(2) is None)
        message.sender = _clip(found.group(1).lower())
        if found.group(2) == "expired":
            for recipient, outcome in list(message.recipients.items()):
                if outcome.status == DEFERRED:
                    p._emit(
                        message,
                        when,
                        recipient,
                        EXPIRED,
                        dsn=outcome.dsn,
                        relay=outcome.relay,
                        reason=outcome.reason,
                        orig_recipient=outcome.orig_recipient,
                        service=agent,
                    )
        return None
    if rest == "removed":
        p.messages.pop(queue_id, None)
        return None
    if rest.startswith("to=<"):
        return _delivery(p, when, agent, msg)
    return False


def _delivery(p: MaillogParser, when: datetime, agent: str, msg: str):
    match = _QUEUED.match(msg)
    if match is None:
        return False
    queue_id, rest = match.groups()
    if not rest.startswith("to=<"):
        return False
    found = _DELIVERY.match(rest)
    if found is None:
        return False
    recipient, orig_to, relay, dsn, status_word, reason = found.groups()
    status = _AGENT_STATUS.get(status_word)
    if status is None:
        return False
    message = p._message(queue_id, when, starts=False)
    p._emit(
        message,
        when,
        _clip(recipient.lower()),
        status,
        dsn=dsn,
        relay=None if relay in ("none", "") else _clip(relay, 255),
        reason=_clip(reason or "", MAX_REASON),
        orig_recipient=_clip((orig_to or "").lower()),
        service=agent,
    )
    return None


def _pickup(p: MaillogParser, when: datetime, agent: str, msg: str):
    """Local submission (sendmail, PHP mail()): `QID: uid=33 from=<www-data>`."""
    match = _QUEUED.match(msg)
    if match is None or not match.group(2).startswith("uid="):
        return False
    p._message(match.group(1), when, starts=True)
    return None


def _ignored(p: MaillogParser, when: datetime, agent: str, msg: str):
    """Programs whose lines never change an outcome (bounce notices, ...)."""
    return False


_HANDLERS = {
    "smtpd": _smtpd,
    "postscreen": _ignored,
    "cleanup": _cleanup,
    "qmgr": _qmgr,
    "pickup": _pickup,
    "bounce": _ignored,
    "smtp": _delivery,
    "lmtp": _delivery,
    "local": _delivery,
    "virtual": _delivery,
    "pipe": _delivery,
    "error": _delivery,
    "retry": _delivery,
    "discard": _delivery,
}


def parse_lines(lines, **options) -> list[Outcome]:
    """Every line of a file -> the final outcome per queue id and recipient, in order of
    first appearance (rejected attempts each count once)."""
    parser = MaillogParser(**options)
    final: dict[tuple, Outcome] = {}
    for line in lines:
        parser.feed(line)
        if parser.out:
            for outcome in parser.drain():
                final[outcome.key] = outcome
    return list(final.values())
