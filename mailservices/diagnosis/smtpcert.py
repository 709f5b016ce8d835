"""The certificate an MX host shows after STARTTLS, for matching its TLSA records (DANE).

Asked only for MX hosts that publish TLSA records. The certificate is not verified (DANE-EE
records pin it whatever its issuer or names); the outcome is a `Lookup` of type `SMTP_CERT`
whose records are "0 <certificate, DER, hex>" and "1 <public key info, DER, hex>" (TLSA
selectors 0 and 1), or a failure naming the reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from mailservices.diagnosis.dns import ANSWER, FAILURE, SMTP_CERT, Lookup

TIMEOUT = 4.0  # seconds for connecting, the SMTP dialogue and TLS, together
MAX_LINES = 64
HELLO = b"EHLO mail-diagnosis.invalid\r\n"


def _context() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # DANE-EE: the record, not a CA, vouches for it
    return context


def certificate_lookup(host: str, der: bytes | None) -> Lookup:
    if not der:
        return Lookup(host, SMTP_CERT, FAILURE, error="tls")
    spki = (
        x509.load_der_x509_certificate(der)
        .public_key()
        .public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    return Lookup(host, SMTP_CERT, ANSWER, (f"0 {der.hex()}", f"1 {spki.hex()}"))


def _error_of(exc: BaseException) -> str:
    if isinstance(exc, ssl.SSLError):
        return "tls"
    if isinstance(exc, TimeoutError | socket.timeout):
        return "timeout"
    if isinstance(exc, ConnectionRefusedError):
        return "refused"
    return "connect"


class _NoStartTls(Exception):
    pass


def _reply_done(line: bytes, code: bytes) -> bool:
    if not line.startswith(code):
        raise _NoStartTls(line[:3].decode("ascii", "replace"))
    return line[3:4] != b"-"


def fetch(host: str, address: str, *, port: int, timeout: float = TIMEOUT) -> Lookup:
    """Connects to `address`:`port`, says EHLO, STARTTLS, and reads the certificate."""
    if timeout <= 0:
        return Lookup(host, SMTP_CERT, FAILURE, error="no-time")
    try:
        with socket.create_connection((address, port), timeout=timeout) as plain:
            reader = plain.makefile("rb")
            for code, command in ((b"220", HELLO), (b"250", b"STARTTLS\r\n"), (b"220", None)):
                lines, extensions = 0, []
                while lines < MAX_LINES:
                    line = reader.readline(1024)
                    lines += 1
                    extensions.append(line[4:].strip().upper())
                    if _reply_done(line, code):
                        break
                if code == b"250" and b"STARTTLS" not in extensions:
                    return Lookup(host, SMTP_CERT, FAILURE, error="no-starttls")
                if command:
                    plain.sendall(command)
            with _context().wrap_socket(plain, server_hostname=host) as tls:
                der = tls.getpeercert(binary_form=True)
                with contextlib.suppress(OSError):
                    tls.sendall(b"QUIT\r\n")
    except _NoStartTls:
        return Lookup(host, SMTP_CERT, FAILURE, error="smtp")
    except (OSError, ssl.SSLError) as exc:
        return Lookup(host, SMTP_CERT, FAILURE, error=_error_of(exc))
    return certificate_lookup(host, der)


async def fetch_async(host: str, address: str, *, port: int, timeout: float = TIMEOUT) -> Lookup:
    """`fetch` on the running event loop."""
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection(address, port)
            try:
                for code, command in ((b"220", HELLO), (b"250", b"STARTTLS\r\n"), (b"220", None)):
                    lines, extensions = 0, []
                    while lines < MAX_LINES:
                        line = await reader.readline()
                        lines += 1
                        extensions.append(line[4:].strip().upper())
                        if _reply_done(line, code):
                            break
                    if code == b"250" and b"STARTTLS" not in extensions:
                        return Lookup(host, SMTP_CERT, FAILURE, error="no-starttls")
                    if command:
                        writer.write(command)
                        await writer.drain()
                await writer.start_tls(_context(), server_hostname=host)
                der = writer.get_extra_info("ssl_object").getpeercert(binary_form=True)
                writer.write(b"QUIT\r\n")
            finally:
                writer.close()
    except _NoStartTls:
        return Lookup(host, SMTP_CERT, FAILURE, error="smtp")
    except (OSError, ssl.SSLError, TimeoutError) as exc:
        return Lookup(host, SMTP_CERT, FAILURE, error=_error_of(exc))
    return certificate_lookup(host, der)
