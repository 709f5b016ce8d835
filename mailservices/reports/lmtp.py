"""LMTP (RFC 2033) for report mails, as a pure protocol state machine plus a thin asyncio server.

Postfix delivers mail for the report addresses to `manage.py reports_lmtpd` over LMTP
(transport `lmtp:inet:HOST:PORT`, written by `mailstack_config`). `LmtpSession` turns
received lines into replies without any I/O; `serve()` only moves bytes. Each accepted mail
is handed to `deliver(raw, recipients)`, which stores it (the ingestion runs in Celery).
"""

import asyncio
from collections.abc import Callable

MAX_LINE = 4096


class LmtpSession:
    """One connection. `feed(line)` (without CRLF) returns the reply lines to send."""

    def __init__(self, *, hostname: str, deliver: Callable[[bytes, list[str]], bool], max_bytes):
        self.hostname = hostname
        self.deliver = deliver
        self.max_bytes = max_bytes
        self.greeted = False
        self.sender: str | None = None
        self.recipients: list[str] = []
        self.in_data = False
        self.data: list[bytes] = []
        self.size = 0
        self.too_big = False
        self.closed = False

    def banner(self) -> list[bytes]:
        return [f"220 {self.hostname} LMTP report intake ready".encode()]

    def _reset(self) -> None:
        self.sender, self.recipients, self.data, self.size, self.too_big = None, [], [], 0, False

    def feed(self, line: bytes) -> list[bytes]:
        if self.in_data:
            return self._data_line(line)
        if len(line) > MAX_LINE:
            return [b"500 5.5.2 Line too long"]
        verb, _sep, arg = line.decode("ascii", "replace").partition(" ")
        verb = verb.upper()
        if verb == "LHLO":
            self.greeted = True
            self._reset()
            return [
                f"250-{self.hostname}".encode(),
                b"250-PIPELINING",
                b"250-ENHANCEDSTATUSCODES",
                f"250 SIZE {self.max_bytes}".encode(),
            ]
        if verb == "QUIT":
            self.closed = True
            return [b"221 2.0.0 Bye"]
        if verb == "NOOP":
            return [b"250 2.0.0 OK"]
        if verb == "RSET":
            self._reset()
            return [b"250 2.0.0 OK"]
        if not self.greeted:
            return [b"503 5.5.1 Say LHLO first"]
        if verb == "MAIL":
            if self.sender is not None:
                return [b"503 5.5.1 Nested MAIL command"]
            if not arg.upper().startswith("FROM:"):
                return [b"501 5.5.4 Syntax: MAIL FROM:<address>"]
            self.sender = _address(arg[5:])
            return [b"250 2.1.0 OK"]
        if verb == "RCPT":
            if self.sender is None:
                return [b"503 5.5.1 Need MAIL first"]
            if not arg.upper().startswith("TO:"):
                return [b"501 5.5.4 Syntax: RCPT TO:<address>"]
            if len(self.recipients) >= 100:
                return [b"452 4.5.3 Too many recipients"]
            self.recipients.append(_address(arg[3:]))
            return [b"250 2.1.5 OK"]
        if verb == "DATA":
            if not self.recipients:
                return [b"503 5.5.1 Need RCPT first"]
            self.in_data = True
            return [b"354 Send the report mail, end with <CRLF>.<CRLF>"]
        return [b"502 5.5.2 Command not implemented"]

    def _data_line(self, line: bytes) -> list[bytes]:
        if line == b".":
            self.in_data = False
            recipients = self.recipients
            if self.too_big:
                replies = [b"552 5.3.4 Message too big for the report intake"] * len(recipients)
            else:
                raw = b"\r\n".join(self.data) + b"\r\n"
                ok = self.deliver(raw, recipients)
                reply = b"250 2.0.0 Report queued" if ok else b"451 4.3.0 Try again later"
                replies = [reply] * len(recipients)  # LMTP: one reply per recipient
            self._reset()
            return replies
        if line.startswith(b"."):
            line = line[1:]
        self.size += len(line) + 2
        if self.size > self.max_bytes:
            self.too_big = True
            self.data = []
        elif not self.too_big:
            self.data.append(line)
        return []


def _address(text: str) -> str:
    text = text.strip()
    if text.startswith("<"):
        text = text[1 : text.find(">")] if ">" in text else text[1:]
    return text.split(" ")[0].lower()[:320]


async def serve(host: str, port: int, *, make_session: Callable[[], LmtpSession], run_sync):
    """The asyncio server; `run_sync(fn, *args)` runs deliveries off the event loop."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        session = make_session()
        writer.write(b"".join(r + b"\r\n" for r in session.banner()))
        try:
            while not session.closed:
                try:
                    raw = await asyncio.wait_for(reader.readuntil(b"\n"), timeout=300)
                except asyncio.LimitOverrunError:
                    writer.write(b"500 5.5.2 Line too long\r\n")
                    break
                except (asyncio.IncompleteReadError, TimeoutError, ConnectionError):
                    break
                line = raw.rstrip(b"\r\n")
                if session.in_data and line == b".":
                    replies = await run_sync(session.feed, line)
                else:
                    replies = session.feed(line)
                if replies:
                    writer.write(b"".join(r + b"\r\n" for r in replies))
                    await writer.drain()
        except ConnectionError:
            pass  # the client went away mid-reply
        finally:
            writer.close()

    return await asyncio.start_server(handle, host, port, limit=1024 * 1024)
