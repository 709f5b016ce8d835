"""Connecting to an IMAP server (the old provider, or ours) with clear one-line errors.

Every failure becomes an `ImapError` whose message names the cause (wrong password, host
unreachable, TLS, not an IMAP server, plaintext refused) and never the password.
"""

import contextlib
import imaplib
import ipaddress
import socket
import ssl
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

SECURITIES = ("ssl", "starttls", "none")


class ImapError(Exception):
    """A failure the customer can act on; `code` for programs, `str()` for people."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Endpoint:
    host: str
    port: int
    security: str  # "ssl" | "starttls" | "none"
    login: str
    password: str = field(repr=False)
    ca_file: str = ""  # extra CA bundle to trust besides the system store
    timeout: float = 30.0


def plaintext_allowed(host: str) -> bool:
    """Unencrypted IMAP only to the loopback address 127.0.0.1 (never over a network)."""
    try:
        return ipaddress.ip_address(host) == ipaddress.ip_address("127.0.0.1")
    except ValueError:
        return False


def quote(name: str) -> str:
    """A mailbox name as an IMAP quoted string."""
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _tls_context(endpoint: Endpoint) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if endpoint.ca_file:
        context.load_verify_locations(cafile=endpoint.ca_file)
    return context


def _where(endpoint: Endpoint) -> str:
    return f"{endpoint.host}:{endpoint.port}"


def connect(endpoint: Endpoint) -> imaplib.IMAP4:
    """A logged-in IMAP connection, or ImapError."""
    if endpoint.security not in SECURITIES:
        raise ImapError("security", _("Unbekannte Verschlüsselung: %s") % endpoint.security)
    if endpoint.security == "none" and not plaintext_allowed(endpoint.host):
        raise ImapError(
            "plaintext",
            _(
                "Unverschlüsselte Verbindungen sind nicht erlaubt (nur zu 127.0.0.1): "
                "wählen Sie SSL/TLS oder STARTTLS."
            ),
        )
    client = _open(endpoint)
    try:
        _login(client, endpoint)
    except ImapError:
        _close(client)
        raise
    return client


def _open(endpoint: Endpoint) -> imaplib.IMAP4:
    where = _where(endpoint)
    try:
        if endpoint.security == "ssl":
            client = imaplib.IMAP4_SSL(
                endpoint.host,
                endpoint.port,
                ssl_context=_tls_context(endpoint),
                timeout=endpoint.timeout,
            )
        else:
            client = imaplib.IMAP4(endpoint.host, endpoint.port, timeout=endpoint.timeout)
            if endpoint.security == "starttls":
                if "STARTTLS" not in client.capabilities:
                    _close(client)
                    raise ImapError(
                        "tls", _("%s bietet kein STARTTLS an: wählen Sie SSL/TLS.") % where
                    )
                client.starttls(ssl_context=_tls_context(endpoint))
    except ImapError:
        raise
    except ssl.SSLCertVerificationError as exc:
        raise ImapError(
            "tls",
            _("Das Zertifikat von %(where)s ist nicht gültig: %(reason)s")
            % {"where": where, "reason": exc.verify_message or exc.reason},
        ) from None
    except ssl.SSLError as exc:
        raise ImapError(
            "tls",
            _("Keine TLS-Verbindung zu %(where)s möglich (%(reason)s).")
            % {"where": where, "reason": exc.reason or exc.__class__.__name__},
        ) from None
    except socket.gaierror:
        raise ImapError(
            "unreachable", _("Den Server %s gibt es nicht (unbekannter Name).") % endpoint.host
        ) from None
    except TimeoutError:
        raise ImapError(
            "unreachable", _("%s antwortet nicht (Zeitüberschreitung).") % where
        ) from None
    except ConnectionRefusedError:
        raise ImapError(
            "unreachable", _("%s ist nicht erreichbar (Verbindung abgelehnt).") % where
        ) from None
    except OSError as exc:
        raise ImapError(
            "unreachable",
            _("%(where)s ist nicht erreichbar (%(reason)s).")
            % {"where": where, "reason": exc.strerror or exc.__class__.__name__},
        ) from None
    except (imaplib.IMAP4.error, EOFError, ValueError):
        raise ImapError("not_imap", _("%s antwortet nicht wie ein IMAP-Server.") % where) from None
    return client


def _login(client: imaplib.IMAP4, endpoint: Endpoint) -> None:
    if "LOGINDISABLED" in client.capabilities:
        raise ImapError(
            "plaintext",
            _("%s verlangt eine verschlüsselte Verbindung: wählen Sie SSL/TLS oder STARTTLS.")
            % _where(endpoint),
        )
    try:
        client.login(endpoint.login, endpoint.password)
        # Servers announce more after login (NAMESPACE, SPECIAL-USE, QUOTA...).
        typ, data = client.capability()
        if typ == "OK" and data and data[-1]:
            client.capabilities = tuple(data[-1].decode("ascii", "replace").upper().split())
    except imaplib.IMAP4.abort:
        raise ImapError(
            "unreachable", _("%s hat die Verbindung getrennt.") % _where(endpoint)
        ) from None
    except imaplib.IMAP4.error:
        raise ImapError(
            "auth",
            _("Anmeldung bei %s fehlgeschlagen: Benutzername oder Passwort ist falsch.")
            % endpoint.host,
        ) from None
    except OSError:
        raise ImapError(
            "unreachable", _("%s hat die Verbindung getrennt.") % _where(endpoint)
        ) from None


def _close(client: imaplib.IMAP4) -> None:
    try:
        client.logout()
    except (imaplib.IMAP4.error, OSError, EOFError):
        with contextlib.suppress(OSError):
            client.shutdown()


def close(client: imaplib.IMAP4 | None) -> None:
    if client is not None:
        _close(client)
