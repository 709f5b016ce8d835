"""Fetching an MTA-STS policy (RFC 8461, 3.3) over HTTPS, synchronously or with asyncio.

The address of `mta-sts.<domain>` comes from the diagnosis's own DNS answers (the same
resolver, or the same pinned name server, as every other check); the certificate is checked
against the host name. At most `MAX_BYTES` are read, within the time given; redirects are
not followed. The outcome is a `Lookup` of type `POLICY`: the body and its media type as
records, or a failure whose `error` names the reason (shown to the customer).
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import time

from mailservices.diagnosis.dns import ANSWER, FAILURE, POLICY, Lookup

PATH = "/.well-known/mta-sts.txt"
MAX_BYTES = 64 * 1024  # a policy is a few lines; senders need not read more
HEAD_BYTES = 16 * 1024
TIMEOUT = 5.0  # seconds for connecting, TLS and reading, together
# The reason for a fetch that was never tried because the run's DNS time was spent.
NO_TIME = "no-time"


def tls_context(cafile: str = "") -> ssl.SSLContext:
    """Certificate and host name checked; `cafile` replaces the system's trusted CAs."""
    return ssl.create_default_context(cafile=cafile or None)


def _request(host: str) -> bytes:
    # HTTP/1.0: the body ends with the connection, no chunked encoding to undo.
    return (
        f"GET {PATH} HTTP/1.0\r\nHost: {host}\r\nAccept: text/plain\r\n"
        "User-Agent: mail-diagnosis (MTA-STS check)\r\nConnection: close\r\n\r\n"
    ).encode("ascii")


def _dechunk(body: bytes) -> bytes:
    out, pos = b"", 0
    while True:
        line_end = body.index(b"\r\n", pos)
        size = int(body[pos:line_end].split(b";")[0], 16)
        if size == 0:
            return out
        out += body[line_end + 2 : line_end + 2 + size]
        pos = line_end + 2 + size + 2


def read_response(host: str, raw: bytes, *, complete: bool) -> Lookup:
    """The fetch's outcome from the bytes read (`complete`: the server closed in time)."""
    head, sep, body = raw.partition(b"\r\n\r\n")
    if not sep:
        return Lookup(host, POLICY, FAILURE, error="http-invalid")
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
        return Lookup(host, POLICY, FAILURE, error="http-invalid")
    headers = {}
    for line in lines[1:]:
        key, _sep, value = line.partition(":")
        headers[key.strip().lower()] = value.strip()
    if parts[1] != "200":
        return Lookup(host, POLICY, FAILURE, error=f"http-{parts[1]}")
    if len(body) > MAX_BYTES:
        return Lookup(host, POLICY, FAILURE, error="too-large")
    if not complete:
        return Lookup(host, POLICY, FAILURE, error="timeout")
    if "chunked" in headers.get("transfer-encoding", "").lower():
        try:
            body = _dechunk(body)
        except ValueError:
            return Lookup(host, POLICY, FAILURE, error="http-invalid")
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    return Lookup(
        host, POLICY, ANSWER, (body.decode("utf-8", errors="replace"), content_type or "-")
    )


def _error_of(exc: BaseException) -> str:
    if isinstance(exc, ssl.SSLCertVerificationError):
        return "tls-certificate"
    if isinstance(exc, ssl.SSLError):
        return "tls"
    if isinstance(exc, TimeoutError | socket.timeout):
        return "timeout"
    if isinstance(exc, ConnectionRefusedError):
        return "refused"
    return "connect"


def fetch(host: str, address: str, *, port: int, context, timeout: float = TIMEOUT) -> Lookup:
    """GET https://host/.well-known/mta-sts.txt from `address`, all within `timeout`."""
    if timeout <= 0:
        return Lookup(host, POLICY, FAILURE, error=NO_TIME)
    deadline = time.monotonic() + timeout
    raw, complete = b"", False
    try:
        with (
            socket.create_connection((address, port), timeout=timeout) as plain,
            context.wrap_socket(plain, server_hostname=host) as tls,
        ):
            tls.sendall(_request(host))
            while len(raw) <= MAX_BYTES + HEAD_BYTES:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                tls.settimeout(remaining)
                chunk = tls.recv(16384)
                if not chunk:
                    complete = True
                    break
                raw += chunk
    except ssl.SSLEOFError as exc:  # closed without TLS close_notify: the end, if any
        if not raw:
            return Lookup(host, POLICY, FAILURE, error=_error_of(exc))
        complete = True
    except (OSError, ssl.SSLError) as exc:
        if not raw:
            return Lookup(host, POLICY, FAILURE, error=_error_of(exc))
    return read_response(host, raw, complete=complete)


async def fetch_async(
    host: str, address: str, *, port: int, context, timeout: float = TIMEOUT
) -> Lookup:
    """`fetch` on the running event loop."""
    raw, complete = b"", False
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection(
                address, port, ssl=context, server_hostname=host
            )
            try:
                writer.write(_request(host))
                await writer.drain()
                while len(raw) <= MAX_BYTES + HEAD_BYTES:
                    chunk = await reader.read(16384)
                    if not chunk:
                        complete = True
                        break
                    raw += chunk
            finally:
                writer.close()
    except (OSError, ssl.SSLError, TimeoutError) as exc:
        if not raw:
            return Lookup(host, POLICY, FAILURE, error=_error_of(exc))
    return read_response(host, raw, complete=complete)
