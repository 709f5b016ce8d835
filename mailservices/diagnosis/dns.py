"""DNS answers as plain data: what a lookup returned, and where answers come from.

No network and no ORM here. A check asks an `AnswerSource` for `(name, type)` and gets a
`Lookup`. The resolver module fills sources from the network (one lookup at a time, or
concurrently with asyncio); tests may fill an `AnswerBook` by hand.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

ANSWER = "answer"
NXDOMAIN = "nxdomain"
NODATA = "nodata"
FAILURE = "failure"  # timeout, SERVFAIL, refused: we could not find out
# The name is a CNAME chain that comes back to itself; `records` holds the chain's names
# in order, the first one repeated at the end.
LOOP = "loop"

# Questions that are not plain DNS lookups, answered by the same sources as `Lookup`s:
# the MTA-STS policy fetched over HTTPS from `mta-sts.<domain>` (records: the body and its
# media type), and a DNSSEC question, "<TYPE>+DO", asked with the DO bit (records: each
# answer record as "<TYPE> <rdata>", RRSIGs included, and "AD" when the resolver set it).
POLICY = "MTA-STS-POLICY"
# The certificate an MX host shows after STARTTLS (`smtpcert.py`), asked for hosts with TLSA
# records: "0 <certificate hex>" and "1 <public key info hex>".
SMTP_CERT = "SMTP-CERT"
SIGNED_SUFFIX = "+DO"


def signed(rdtype: str) -> str:
    return rdtype + SIGNED_SUFFIX


def normalize_name(name: str) -> str:
    """Lower case, no trailing dot: the form every key and comparison uses."""
    return name.strip().rstrip(".").lower()


@dataclass(frozen=True)
class Lookup:
    """The outcome of one DNS question.

    `records` holds each answer record in text form: TXT as the joined character strings,
    MX as "10 mx.example.", CNAME as the target, A/AAAA as the address.
    """

    name: str
    rdtype: str
    outcome: str
    records: tuple[str, ...] = ()
    canonical_name: str = ""  # set when a CNAME chain led to the answer
    error: str = ""

    @property
    def failed(self) -> bool:
        return self.outcome == FAILURE

    @property
    def exists(self) -> bool:
        """The name exists (answer or empty answer); NXDOMAIN means it does not."""
        return self.outcome in (ANSWER, NODATA)


class MissingAnswer(BaseException):  # noqa: N818 - a control-flow signal, not an error
    """Raised by an `AnswerBook` that does not hold an answer yet.

    A BaseException so that library code with broad `except Exception` (pyspf has some)
    cannot swallow it: the driver catches it, fetches the names and runs the check again.
    """

    def __init__(self, keys: Iterable[tuple[str, str]]):
        self.keys = set(keys)
        super().__init__(sorted(self.keys))


class AnswerSource(Protocol):
    def lookup(self, name: str, rdtype: str) -> Lookup: ...

    def lookup_many(self, keys: Iterable[tuple[str, str]]) -> list[Lookup]: ...


@dataclass
class AnswerBook:
    """Answers collected in advance; asking for anything else raises `MissingAnswer`."""

    answers: dict[tuple[str, str], Lookup] = field(default_factory=dict)
    # Every question asked without an answer, also those a library caught and ignored.
    missed: set[tuple[str, str]] = field(default_factory=set)

    def add(self, lookup: Lookup) -> None:
        self.answers[(normalize_name(lookup.name), lookup.rdtype)] = lookup

    def lookup(self, name: str, rdtype: str) -> Lookup:
        key = (normalize_name(name), rdtype)
        try:
            return self.answers[key]
        except KeyError:
            self.missed.add(key)
            raise MissingAnswer([key]) from None

    def lookup_many(self, keys: Iterable[tuple[str, str]]) -> list[Lookup]:
        keys = [(normalize_name(n), t) for n, t in keys]
        missing = [k for k in keys if k not in self.answers]
        if missing:
            self.missed.update(missing)
            raise MissingAnswer(missing)
        return [self.answers[k] for k in keys]


def is_ip_literal(name: str) -> bool:
    try:
        ipaddress.ip_address(normalize_name(name).strip("[]"))
    except ValueError:
        return False
    return True


def txt_quote(value: str) -> str:
    """A TXT value as zone-file text: quoted, split into strings of at most 255 bytes."""
    raw = value.encode()
    chunks = [raw[i : i + 255] for i in range(0, len(raw), 255)] or [b""]
    out = []
    for chunk in chunks:
        text = chunk.decode(errors="replace").replace("\\", "\\\\").replace('"', '\\"')
        out.append(f'"{text}"')
    return " ".join(out)


def parse_tags(record: str) -> list[tuple[str, str]]:
    """`tag=value; tag=value` lists (DKIM, DMARC) as pairs, whitespace removed, order kept.

    Raises ValueError for a part without "=".
    """
    pairs = []
    for part in record.split(";"):
        part = part.strip()
        if not part:
            continue
        tag, sep, value = part.partition("=")
        if not sep:
            raise ValueError(part)
        pairs.append((tag.strip().lower(), "".join(value.split())))
    return pairs
