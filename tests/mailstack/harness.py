"""A private Postfix and Dovecot on 127.0.0.1, configured by `mailservices.mailstack.config`.

Everything lives in one temporary directory (config, queue, mailboxes, logs, sockets); the
system's /etc/postfix and /etc/dovecot are never read or touched. Ports are free ports
picked at start. Mail to the outside world goes to an in-process SMTP sink, so forwards and
responder replies can be inspected. Postfix's master must run as root.
"""

import datetime
import grp
import imaplib
import logging
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from mailservices.mailstack import config, sieve
from tests.ports import free_port, wait_port

logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's per-connection chatter

VMAIL_USER = "nobody"
VMAIL_GROUP = "nogroup"
BINARIES = ("postfix", "postconf", "dovecot", "doveadm", "sievec")


def missing_binaries() -> list[str]:
    return [name for name in BINARIES if shutil.which(name) is None]


def make_certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1/localhost (the test's own CA)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    import ipaddress

    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    return cert_path, key_path


class _Sink:
    """aiosmtpd handler keeping every message it receives."""

    def __init__(self):
        self.messages: list[tuple[str, list[str], EmailMessage]] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd API)
        msg = message_from_bytes(envelope.original_content, policy=policy.default)
        with self.lock:
            self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), msg))
        return "250 OK"


class _IMAPS(imaplib.IMAP4_SSL):
    """imaplib's client, connecting from a chosen local address."""

    def __init__(self, *args, source: str = "", **kwargs):
        self._source = (source, 0) if source else None
        super().__init__(*args, **kwargs)

    def _create_socket(self, timeout):
        sock = socket.create_connection(
            (self.host, self.port), timeout, source_address=self._source
        )
        return self.ssl_context.wrap_socket(sock, server_hostname=self.host)


@dataclass
class Ports:
    smtp: int = field(default_factory=free_port)
    submission: int = field(default_factory=free_port)
    imaps: int = field(default_factory=free_port)
    lmtp: int = field(default_factory=free_port)
    auth: int = field(default_factory=free_port)
    sink: int = field(default_factory=free_port)


# Clients "from the internet" connect from this address, outside mynetworks (127.0.0.1,
# where Dovecot sends responder replies from).
INTERNET = "127.0.0.2"


class MailStack:
    def __init__(self, database: config.Database, *, policy: str = "", auth_report_url: str = ""):
        self.base = Path(tempfile.mkdtemp(prefix="mailstack-"))
        self.base.chmod(0o755)  # Postfix and Dovecot processes run as other users
        self.ports = Ports()
        self.database = database
        self.policy = policy
        self.auth_report_url = auth_report_url  # the portal's endpoint for Dovecot's reports
        self.postfix_dir = self.base / "postfix"
        self.dovecot_conf = self.base / "dovecot.conf"
        self.cert, self.key = make_certificate(self.base)
        self.sink = _Sink()
        self._controller = None

    # --- configuration -------------------------------------------------------------------
    def layout(self) -> config.Layout:
        return config.Layout(
            database=self.database,
            out_dir=self.base / "conf",
            mail_host="localhost",
            mail_root=str(self.base / "vmail"),
            vmail_user=VMAIL_USER,
            vmail_group=VMAIL_GROUP,
            postfix_queue_dir=str(self.base / "queue"),
            lmtp=f"inet:127.0.0.1:{self.ports.lmtp}",
            auth=f"inet:127.0.0.1:{self.ports.auth}",
            policy=self.policy,
            submission_listen=f"127.0.0.1:{self.ports.submission}",
            submission_host=f"127.0.0.1:{self.ports.smtp}",
            tls_cert=str(self.cert),
            tls_key=str(self.key),
            auth_report_url=self.auth_report_url,
        )

    def _write_config(self) -> None:
        layout = self.layout()
        files = config.render(layout)
        config.write(files, layout.out_dir)
        # As in production (README): the secret files Dovecot's auth and dict processes read
        # belong to the group dovecot.
        dovecot_gid = grp.getgrnam("dovecot").gr_gid
        for name in (
            "dovecot-sql.conf.ext",
            "dovecot-sql-app.conf.ext",
            "auth-policy.conf.ext",
            "dovecot-dict-usage.conf.ext",
            "master-users",
        ):
            if (layout.dovecot_dir / name).exists():
                os.chown(layout.dovecot_dir / name, 0, dovecot_gid)
        self.postfix_dir.mkdir()
        (self.base / "queue").mkdir()
        (self.postfix_dir / "main.cf").write_text(
            self._postfix_base() + "\n" + files["postfix/main.cf.portal"]
        )
        (self.postfix_dir / "master.cf").write_text(
            self._postfix_master() + files["postfix/master.cf.portal"]
        )
        self.dovecot_conf.write_text(self._dovecot_base(layout))
        vmail = self.base / "vmail"
        vmail.mkdir()
        os.chown(vmail, pwd.getpwnam(VMAIL_USER).pw_uid, grp.getgrnam(VMAIL_GROUP).gr_gid)
        for script in sieve.SCRIPTS:
            self._run(
                ["sievec", "-c", str(self.dovecot_conf), str(layout.sieve_dir / script.filename)]
            )

    def _postfix_base(self) -> str:
        return f"""\
compatibility_level = 3.6
queue_directory = {self.base}/queue
data_directory = {self.base}/postfix-data
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.1/32
myorigin = localhost
relayhost = [127.0.0.1]:{self.ports.sink}
smtp_tls_security_level = none
maillog_file = {self.base}/postfix.log
maillog_file_prefixes = {self.base}
alias_maps =
alias_database =
local_transport = error:local delivery is disabled
biff = no
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
smtpd_error_sleep_time = 0
smtpd_peername_lookup = no
smtp_helo_timeout = 10s
"""

    def _postfix_master(self) -> str:
        services = [
            f"127.0.0.1:{self.ports.smtp} inet n - n - - smtpd",
            "pickup unix n - n 60 1 pickup",
            "cleanup unix n - n - 0 cleanup",
            "qmgr unix n - n 300 1 qmgr",
            "tlsmgr unix - - n 1000? 1 tlsmgr",
            "rewrite unix - - n - - trivial-rewrite",
            "bounce unix - - n - 0 bounce",
            "defer unix - - n - 0 bounce",
            "trace unix - - n - 0 bounce",
            "verify unix - - n - 1 verify",
            "flush unix n - n 1000? 0 flush",
            "proxymap unix - - n - - proxymap",
            "proxywrite unix - - n - 1 proxymap",
            "smtp unix - - n - - smtp",
            "relay unix - - n - - smtp",
            "showq unix n - n - - showq",
            "error unix - - n - - error",
            "retry unix - - n - - error",
            "discard unix - - n - - discard",
            "anvil unix - - n - 1 anvil",
            "scache unix - - n - 1 scache",
            "postlog unix-dgram n - n - 1 postlogd",
        ]
        return "\n".join(services) + "\n"

    def _dovecot_base(self, layout: config.Layout) -> str:
        dh = "/usr/share/dovecot/dh.pem"
        return f"""\
base_dir = {self.base}/dovecot-run
state_dir = {self.base}/dovecot-state
instance_name = mailstack-{self.ports.imaps}
protocols = imap lmtp
listen = 127.0.0.1
log_path = {self.base}/dovecot.log
ssl = required
ssl_cert = <{self.cert}
ssl_key = <{self.key}
{f"ssl_dh = <{dh}" if os.path.exists(dh) else ""}
default_internal_user = dovecot
# Tests try wrong passwords on purpose: no failure delay and no per-IP penalty on the
# following logins (production keeps both).
auth_failure_delay = 0
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
default_login_user = dovenull
service imap-login {{
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {self.ports.imaps}
  }}
}}
!include {layout.dovecot_dir / "portal.conf"}
"""

    # --- lifecycle -----------------------------------------------------------------------
    def start(self) -> "MailStack":
        self._write_config()
        self._controller = Controller(self.sink, hostname="127.0.0.1", port=self.ports.sink)
        self._controller.start()
        self._run(["dovecot", "-c", str(self.dovecot_conf)])
        self._run(["postfix", "-c", str(self.postfix_dir), "start"])
        for port in (self.ports.smtp, self.ports.submission, self.ports.imaps, self.ports.lmtp):
            wait_port(port)
        return self

    def stop(self) -> None:
        for command in (
            ["postfix", "-c", str(self.postfix_dir), "stop"],
            ["doveadm", "-c", str(self.dovecot_conf), "stop"],
        ):
            subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, timeout=30)
        if self._controller is not None:
            self._controller.stop()
        shutil.rmtree(self.base, ignore_errors=True)

    def _run(self, command: list[str]) -> None:
        # The daemons keep inherited pipes open: their output goes to a file, never a pipe.
        with open(self.base / "commands.log", "a+") as out:
            out.write(f"$ {' '.join(command)}\n")
            out.flush()
            start = out.tell()
            result = subprocess.run(
                command, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT
            )
            out.seek(start)
            output = out.read()
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{output}\n{self.logs()}")

    def logs(self) -> str:
        parts = []
        for name in ("postfix.log", "dovecot.log"):
            path = self.base / name
            if path.exists():
                parts.append(f"--- {name}\n" + path.read_text(errors="replace")[-6000:])
        return "\n".join(parts)

    # --- clients -------------------------------------------------------------------------
    def tls_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cert))

    def imap(self, user: str, password: str, *, source: str = "") -> imaplib.IMAP4_SSL:
        """A logged-in IMAP client. Failing logins should come from another `source`
        address: Dovecot delays further logins from an address that just failed."""
        client = _IMAPS(
            "127.0.0.1", self.ports.imaps, ssl_context=self.tls_context(), source=source
        )
        try:
            client.login(user, password)
        except imaplib.IMAP4.error:
            client.logout()
            raise
        return client

    def flush(self) -> None:
        """Asks Postfix to retry deferred mail now."""
        subprocess.run(["postqueue", "-c", str(self.postfix_dir), "-f"], capture_output=True)

    def queue_is_empty(self) -> bool:
        result = subprocess.run(
            ["postqueue", "-c", str(self.postfix_dir), "-j"], capture_output=True, text=True
        )
        return result.stdout.strip() == ""
