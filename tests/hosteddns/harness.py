"""A private PowerDNS on 127.0.0.1 reading the test database, configured by
`mailservices.hosteddns.server` (the text `manage.py dnsserver_config` writes).

Everything lives in one temporary directory (pdns.conf, control socket, log); the port is
a free one picked at start (UDP and TCP). Stopped by the fixture at the end of the session.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import dns.message
import dns.query
import dns.rcode

from mailservices.hosteddns import server
from tests.diagnosis.nsd import free_port  # a port free for UDP and TCP on 127.0.0.1


def missing_binaries() -> list[str]:
    return [name for name in ("pdns_server", "pdnsutil") if shutil.which(name) is None]


class PowerDns:
    def __init__(self, database: server.Database):
        self.base = Path(tempfile.mkdtemp(prefix="pdns-"))
        self.port = free_port()
        self.database = database
        self.process: subprocess.Popen | None = None
        self.log_path = self.base / "pdns.log"

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def config_text(self) -> str:
        return server.render(
            server.Layout(
                database=self.database,
                listen_address="127.0.0.1",
                listen_port=self.port,
                socket_dir=str(self.base),
            )
        )

    def start(self) -> None:
        server.write(self.config_text(), self.base)
        log = open(self.log_path, "w")  # noqa: SIM115 (kept open for the process)
        self.process = subprocess.Popen(
            ["pdns_server", f"--config-dir={self.base}"],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"pdns_server exited:\n{self.logs()}")
            try:
                self.query(".", "SOA", timeout=0.5)
                return
            except (OSError, dns.exception.Timeout):
                time.sleep(0.1)
        raise TimeoutError(f"PowerDNS did not answer on {self.address}:\n{self.logs()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.base, ignore_errors=True)

    def logs(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def query(self, name: str, rdtype: str, *, dnssec: bool = False, timeout: float = 3.0):
        """One question over UDP (TCP when truncated); the whole response message."""
        message = dns.message.make_query(name, rdtype, want_dnssec=dnssec)
        response = dns.query.udp(message, "127.0.0.1", port=self.port, timeout=timeout)
        if response.flags & dns.flags.TC:
            response = dns.query.tcp(message, "127.0.0.1", port=self.port, timeout=timeout)
        return response

    def answer(self, name: str, rdtype: str) -> list[str]:
        """The answer's records of that type as text, sorted ([] for none)."""
        response = self.query(name, rdtype)
        if response.rcode() != dns.rcode.NOERROR:
            return []
        out = []
        for rrset in response.answer:
            if dns.rdatatype.to_text(rrset.rdtype) == rdtype:
                out += [rd.to_text() for rd in rrset]
        return sorted(out)

    def pdnsutil(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["pdnsutil", f"--config-dir={self.base}", *args],
            capture_output=True,
            text=True,
            timeout=60,
        )
