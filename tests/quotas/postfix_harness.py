"""A throwaway Postfix from Debian's packages on 127.0.0.1, configured in a temporary
directory (own config, queue and data directories, free port). Nothing outside that
directory is touched; `postfix -c DIR stop` ends it.

Accepted mail goes to Postfix's discard transport. Clients log in with XCLIENT LOGIN from
127.0.0.1 (smtpd_authorized_xclient_hosts), which sets the `sasl_username` the policy
service sees, exactly as SASL AUTH would.
"""

import shutil
import subprocess
import time
from pathlib import Path

MAIN_CF = """\
compatibility_level = 3.6
queue_directory = {dir}/queue
data_directory = {dir}/data
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
meta_directory = /etc/postfix
shlib_directory = /usr/lib/postfix
mail_owner = postfix
setgid_group = postdrop
myhostname = mx.quota-test.example
mydomain = quota-test.example
myorigin = $myhostname
mydestination =
relay_domains =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
maillog_file_prefixes = {dir}
maillog_file = {dir}/maillog
alias_maps =
alias_database =
local_recipient_maps =
biff = no
smtputf8_enable = no
smtpd_banner = $myhostname ESMTP
default_transport = discard:quota test
relay_transport = discard:quota test
local_transport = discard:quota test
virtual_transport = discard:quota test
default_process_limit = 60
smtpd_authorized_xclient_hosts = 127.0.0.0/8
smtpd_client_connection_rate_limit = 0
smtpd_relay_restrictions = permit_mynetworks, reject
smtpd_recipient_restrictions =
    check_policy_service inet:127.0.0.1:{policy_port},
    permit_mynetworks,
    reject
smtpd_end_of_data_restrictions =
    check_policy_service inet:127.0.0.1:{policy_port}
smtpd_policy_service_timeout = 20s
smtpd_policy_service_default_action = 451 4.3.5 Policy service unavailable
"""

MASTER_CF = """\
{smtp_port} inet n - n - - smtpd
cleanup   unix  n - n - 0 cleanup
qmgr      unix  n - n 300 1 qmgr
tlsmgr    unix  - - n 1000? 1 tlsmgr
rewrite   unix  - - n - - trivial-rewrite
bounce    unix  - - n - 0 bounce
defer     unix  - - n - 0 bounce
trace     unix  - - n - 0 bounce
verify    unix  - - n - 1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n - - proxymap
showq     unix  n - n - - showq
error     unix  - - n - - error
retry     unix  - - n - - error
discard   unix  - - n - - discard
anvil     unix  - - n - 1 anvil
scache    unix  - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
"""


def postfix_available() -> bool:
    return shutil.which("postfix") is not None and Path("/usr/lib/postfix/sbin/smtpd").exists()


class PostfixInstance:
    def __init__(self, workdir: Path, *, smtp_port: int, policy_port: int):
        self.dir = Path(workdir)
        self.smtp_port = smtp_port
        self.policy_port = policy_port

    @property
    def maillog(self) -> str:
        path = self.dir / "maillog"
        return path.read_text(errors="replace") if path.exists() else ""

    def _postfix(self, *args):
        return subprocess.run(
            ["postfix", "-c", str(self.dir), *args], capture_output=True, text=True, timeout=60
        )

    def start(self):
        (self.dir / "queue").mkdir(parents=True, exist_ok=True)
        (self.dir / "data").mkdir(exist_ok=True)
        fill = {"dir": self.dir, "policy_port": self.policy_port, "smtp_port": self.smtp_port}
        (self.dir / "main.cf").write_text(MAIN_CF.format(**fill))
        (self.dir / "master.cf").write_text(MASTER_CF.format(**fill))
        shutil.chown(self.dir / "data", user="postfix")
        result = self._postfix("start")
        if result.returncode != 0:
            raise RuntimeError(f"postfix start failed: {result.stdout}{result.stderr}")
        import socket

        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", self.smtp_port), timeout=0.5) as s:
                    if s.recv(100).startswith(b"220"):
                        return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"postfix did not answer on {self.smtp_port}:\n{self.maillog}")

    def stop(self):
        self._postfix("stop")
