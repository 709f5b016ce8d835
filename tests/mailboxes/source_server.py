"""A second Dovecot on 127.0.0.1 playing the customer's old provider.

Its own passwd-file, Maildir and ports in a temporary directory; IMAP with STARTTLS and
plaintext login allowed (so `security=none` to 127.0.0.1 works) and IMAPS. Folders use the
`.` separator under the `INBOX.` prefix, like many older servers, so the import has to map
names and hierarchy. Test data goes in over IMAP as the user.
"""

import imaplib
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from tests.mailstack.harness import free_port, make_certificate, wait_port

USER = "max@alt-anbieter.example"
PASSWORD = "Alter-Anbieter-2019"


class SourceDovecot:
    def __init__(self, *, users: dict[str, str] | None = None, namespace_prefix: str = "INBOX."):
        self.base = Path(tempfile.mkdtemp(prefix="oldprovider-"))
        self.base.chmod(0o755)
        self.imap_port = free_port()
        self.imaps_port = free_port()
        self.users = users or {USER: PASSWORD}
        self.prefix = namespace_prefix
        self.cert, self.key = make_certificate(self.base)
        self.conf = self.base / "dovecot.conf"

    def _config(self) -> str:
        separator = "." if self.prefix else "/"
        return f"""\
base_dir = {self.base}/run
state_dir = {self.base}/state
instance_name = oldprovider-{self.imap_port}
protocols = imap
listen = 127.0.0.1
log_path = {self.base}/dovecot.log
ssl = yes
ssl_cert = <{self.cert}
ssl_key = <{self.key}
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_internal_user = dovecot
default_login_user = dovenull
mail_uid = nobody
mail_gid = nogroup
mail_location = maildir:{self.base}/mail/%u
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.imap_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {self.imaps_port}
  }}
}}
namespace inbox {{
  inbox = yes
  separator = {separator}
  prefix = {self.prefix}
  mailbox "Gesendete Objekte" {{
    special_use = \\Sent
  }}
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.base}/passwd
}}
userdb {{
  driver = static
  args = uid=nobody gid=nogroup home={self.base}/mail/%u
}}
"""

    def start(self) -> "SourceDovecot":
        (self.base / "mail").mkdir(exist_ok=True)
        shutil.chown(self.base / "mail", "nobody", "nogroup")
        (self.base / "passwd").write_text(
            "".join(f"{user}:{{PLAIN}}{password}\n" for user, password in self.users.items())
        )
        os.chmod(self.base / "passwd", 0o644)
        self.conf.write_text(self._config())
        # The daemon keeps inherited pipes open: its output goes to a file, never a pipe.
        with open(self.base / "start.log", "w") as out:
            subprocess.run(
                ["dovecot", "-c", str(self.conf)],
                check=True,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=30,
            )
        wait_port(self.imap_port)
        wait_port(self.imaps_port)
        return self

    def stop(self) -> None:
        subprocess.run(["doveadm", "-c", str(self.conf), "stop"], capture_output=True, timeout=30)
        time.sleep(0.1)
        shutil.rmtree(self.base, ignore_errors=True)

    def logs(self) -> str:
        path = self.base / "dovecot.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def client(self, user: str = USER) -> imaplib.IMAP4:
        client = imaplib.IMAP4("127.0.0.1", self.imap_port)
        client.login(user, self.users[user])
        return client

    def folder(self, name: str) -> str:
        """The wire name of a folder below the personal namespace."""
        return f"{self.prefix}{name}" if self.prefix and name != "INBOX" else name
