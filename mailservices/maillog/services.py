"""Writes of the delivery log: parsed outcomes -> rows (with the reading position), clean-up."""

import time as _time
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from mailservices.maillog.app_settings import app_settings
from mailservices.maillog.models import Delivery, FollowPosition
from mailservices.maillog.parser import Message, Outcome
from mailservices.models import Address, Alias, Domain

# Our policy service's deferral (quotas.policy.deferral) names the authenticated sender.
SENDING_LIMIT_MARK = "Versandlimit"
_UPDATE_FIELDS = [
    "time",
    "status",
    "dsn",
    "relay",
    "reason",
    "sender",
    "sasl_login",
    "message_id",
    "orig_recipient",
    "client",
    "sender_address",
    "sender_service",
    "recipient_address",
    "recipient_service",
]


class AddressDirectory:
    """email -> (address id, service id) of the portal's addresses and aliases.

    Only addresses at our own domains are looked up (the domain names are loaded once and
    again every `ttl` seconds); answers are cached for `ttl` seconds, so an address created
    a minute ago is found on a later batch.
    """

    def __init__(self, *, ttl: float = 60.0, clock=_time.monotonic):
        self.ttl = ttl
        self.clock = clock
        self._cache: dict[str, tuple[float, tuple[int, int] | None]] = {}
        self._domains: set[str] = set()
        self._domains_at: float | None = None

    def _our_domains(self, now: float) -> set[str]:
        if self._domains_at is None or now - self._domains_at >= self.ttl:
            self._domains = set(Domain.objects.values_list("name", flat=True))
            self._domains_at = now
        return self._domains

    def resolve(self, emails: Iterable[str]) -> dict[str, tuple[int, int] | None]:
        now = self.clock()
        domains = self._our_domains(now)
        found: dict[str, tuple[int, int] | None] = {}
        missing: set[str] = set()
        for email in emails:
            if not email or email in found:
                continue
            if email.rpartition("@")[2] not in domains:
                found[email] = None
                continue
            cached = self._cache.get(email)
            if cached is not None and now - cached[0] < self.ttl:
                found[email] = cached[1]
            else:
                missing.add(email)
        if missing:
            loaded = self._load(missing)
            if len(self._cache) > 200_000:
                self._cache.clear()
            for email in missing:
                value = loaded.get(email)
                self._cache[email] = (now, value)
                found[email] = value
        return found

    @staticmethod
    def _load(emails: set[str]) -> dict[str, tuple[int, int]]:
        by_domain: dict[str, set[str]] = {}
        for email in emails:
            local, _at, domain = email.rpartition("@")
            by_domain.setdefault(domain, set()).add(local)
        match = Q()
        for domain, locals_ in by_domain.items():
            match |= Q(service__domain__name=domain, local_part__in=locals_)
        result: dict[str, tuple[int, int]] = {}
        for row in Alias.objects.filter(match).values_list(
            "local_part", "service__domain__name", "address_id", "service_id"
        ):
            result[f"{row[0]}@{row[1]}"] = (row[2], row[3])
        for row in Address.objects.filter(match).values_list(
            "local_part", "service__domain__name", "pk", "service_id"
        ):
            result[f"{row[0]}@{row[1]}"] = (row[2], row[3])
        return result


def _sender_key(outcome: Outcome) -> str:
    """Which of our addresses sent it, if the sender proved it (never a forged envelope)."""
    if outcome.sasl_login:
        return outcome.sasl_login
    # Queued mail from one of our addresses passed reject_(unauthenticated_)sender_login_
    # mismatch (mailstack_config); our own limit deferral only counts logged-in senders.
    if outcome.queue_id is not None or SENDING_LIMIT_MARK in outcome.reason:
        return outcome.sender
    return ""


# Column order of the rows below (and of the COPY into PostgreSQL).
COLUMNS = (
    "time",
    "queued_at",
    "queue_id",
    "message_id",
    "sender",
    "sasl_login",
    "recipient",
    "orig_recipient",
    "status",
    "dsn",
    "relay",
    "reason",
    "client",
    "sender_address_id",
    "sender_service_id",
    "recipient_address_id",
    "recipient_service_id",
)


def deliveries_from_outcomes(outcomes: list[Outcome], *, directory: AddressDirectory) -> list:
    """The rows of a batch (tuples in COLUMNS order): the last outcome per key, owners
    resolved in one go."""
    last: dict[tuple, Outcome] = {}
    for outcome in outcomes:
        last[outcome.key] = outcome
    emails = set()
    for outcome in last.values():
        emails.add(_sender_key(outcome))
        emails.add(outcome.recipient)
        if outcome.orig_recipient:
            emails.add(outcome.orig_recipient)
    owners = directory.resolve(emails)
    rows = []
    for o in last.values():
        sender_owner = owners.get(_sender_key(o)) or (None, None)
        recipient_owner = (
            owners.get(o.recipient)
            or (owners.get(o.orig_recipient) if o.orig_recipient else None)
            or (None, None)
        )
        rows.append(
            (
                o.time,
                o.queued_at or o.time,
                o.queue_id,
                o.message_id[:255],
                o.sender,
                o.sasl_login,
                o.recipient,
                o.orig_recipient,
                o.status,
                o.dsn[:12],
                o.relay or "",
                o.reason,
                o.client[:255],
                *sender_owner,
                *recipient_owner,
            )
        )
    return rows


def _save_postgresql(rows: list) -> None:
    """COPY into a staging table, then one INSERT ... ON CONFLICT (a deferred recipient's
    row becomes sent): far cheaper per row than the ORM's multi-row INSERT."""
    table = Delivery._meta.db_table
    columns = ", ".join(COLUMNS)
    updates = ", ".join(
        f"{c} = EXCLUDED.{c}" for c in COLUMNS if c not in ("queue_id", "recipient", "queued_at")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS maillog_staging AS "  # noqa: S608 - our names
            f"SELECT {columns} FROM {table} WITH NO DATA"
        )
        with cursor.cursor.copy(f"COPY maillog_staging ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM maillog_staging "  # noqa: S608
            f"ON CONFLICT (queue_id, recipient, queued_at) DO UPDATE SET {updates}"
        )
        cursor.execute("TRUNCATE maillog_staging")


def deliveries_save(*, rows: list) -> None:
    """Inserts the rows; a queued recipient seen before (deferred, now sent) is updated."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        _save_postgresql(rows)
        return
    Delivery.objects.bulk_create(
        [Delivery(**dict(zip(COLUMNS, row, strict=True))) for row in rows],
        batch_size=500,
        update_conflicts=True,
        unique_fields=["queue_id", "recipient", "queued_at"],
        update_fields=_UPDATE_FIELDS,
    )


def batch_commit(
    *,
    path: str,
    inode: int,
    offset: int,
    lines: int,
    outcomes: list[Outcome],
    directory: AddressDirectory,
    pending: list | None = None,
) -> int:
    """One transaction: the rows of a batch of lines and the position after them.

    Either both are saved or neither, so a restart reads exactly the lines not yet stored.
    """
    rows = deliveries_from_outcomes(outcomes, directory=directory)
    with transaction.atomic():
        deliveries_save(rows=rows)
        updated = FollowPosition.objects.filter(path=path).update(
            inode=inode,
            offset=offset,
            lines=F("lines") + lines,
            pending=pending or [],
            updated_at=timezone.now(),
        )
        if not updated:
            FollowPosition.objects.create(
                path=path, inode=inode, offset=offset, lines=lines, pending=pending or []
            )
    return len(rows)


def message_lookup(queue_id: str) -> Message | None:
    """A queue id first seen mid-way (the follower restarted while it was queued): what
    the stored rows say about its message, with its still-deferred recipients."""
    rows = list(
        Delivery.objects.filter(queue_id=queue_id)
        .order_by("-queued_at", "-time")
        .values(
            "queued_at",
            "sender",
            "sasl_login",
            "message_id",
            "client",
            "recipient",
            "status",
            "dsn",
            "relay",
            "reason",
            "orig_recipient",
            "time",
        )[:100]
    )
    if not rows:
        return None
    head = rows[0]
    if timezone.now() - head["queued_at"] > timedelta(days=7):
        return None  # Postfix keeps a message 5 days at most: this is a recycled id
    message = Message(
        queue_id=queue_id,
        queued_at=head["queued_at"],
        client=head["client"],
        sasl_login=head["sasl_login"],
        message_id=head["message_id"],
        sender=head["sender"],
    )
    for row in rows:
        if row["queued_at"] != head["queued_at"]:
            break
        message.recipients[row["recipient"]] = Outcome(
            queue_id=queue_id,
            time=row["time"],
            sender=row["sender"],
            recipient=row["recipient"],
            status=row["status"],
            dsn=row["dsn"],
            relay=row["relay"] or None,
            reason=row["reason"],
            sasl_login=row["sasl_login"],
            message_id=row["message_id"],
            client=row["client"],
            orig_recipient=row["orig_recipient"],
            queued_at=row["queued_at"],
        )
    return message


def deliveries_prune(*, now: datetime | None = None, batch: int | None = None) -> int:
    """Deletes rows past the retention, in batches (short locks on a large table)."""
    cutoff = (now or timezone.now()) - timedelta(days=app_settings.RETENTION_DAYS)
    batch = batch or app_settings.PRUNE_BATCH
    total = 0
    table = Delivery._meta.db_table
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {table} WHERE id IN "  # noqa: S608 - our own table name
                f"(SELECT id FROM {table} WHERE time < %s LIMIT %s)",
                [cutoff, batch],
            )
            deleted = cursor.rowcount
        total += deleted
        if deleted < batch:
            return total
