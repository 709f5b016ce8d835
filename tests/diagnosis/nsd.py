"""A real authoritative DNS server (Debian's nsd) on 127.0.0.1, for tests and the bench.

`NsdServer(zones_dir, workdir)` writes an nsd.conf for every `*.zone` file (the zone's
origin is the file name without `.zone`), starts nsd in the foreground on a free port and
waits until it answers. Used as a context manager; stopping kills only that process.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import dns.message
import dns.query
import dns.rcode

from tests.ports import free_port

NSD = shutil.which("nsd") or "/usr/sbin/nsd"


def nsd_available() -> bool:
    return Path(NSD).exists()


class NsdServer:
    def __init__(self, zones: dict[str, Path], workdir: Path, *, server_count: int = 1):
        self.zones = zones  # origin -> zone file
        self.workdir = Path(workdir)
        self.server_count = server_count
        self.port = 0
        self.process: subprocess.Popen | None = None

    @classmethod
    def from_directory(cls, zones_dir: Path, workdir: Path, **kw) -> NsdServer:
        zones = {p.name[: -len(".zone")]: p for p in sorted(Path(zones_dir).glob("*.zone"))}
        return cls(zones, workdir, **kw)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _config(self) -> str:
        w = self.workdir
        lines = [
            "server:",
            "  ip-address: 127.0.0.1",
            f"  port: {self.port}",
            "  do-ip6: no",
            '  username: ""',
            '  chroot: ""',
            f'  pidfile: "{w}/nsd.pid"',
            f'  xfrdfile: "{w}/xfrd.state"',
            f'  zonelistfile: "{w}/zone.list"',
            f'  logfile: "{w}/nsd.log"',
            '  database: ""',
            f"  server-count: {self.server_count}",
            "  verbosity: 1",
            "  hide-version: yes",
            "  refuse-any: yes",
            "  round-robin: no",
            "  minimal-responses: yes",
            # Response rate limiting would drop or truncate answers to a busy client (us).
            "  rrl-ratelimit: 0",
            "remote-control:",
            "  control-enable: no",
        ]
        for origin, path in self.zones.items():
            lines += ["zone:", f'  name: "{origin}"', f'  zonefile: "{Path(path).resolve()}"']
        return "\n".join(lines) + "\n"

    def start(self, timeout: float = 60.0) -> NsdServer:
        self.workdir.mkdir(parents=True, exist_ok=True)
        for _attempt in range(5):
            self.port = free_port()
            conf = self.workdir / "nsd.conf"
            conf.write_text(self._config())
            log = open(self.workdir / "nsd.stderr", "wb")  # noqa: SIM115 - closed in stop()
            self.process = subprocess.Popen(
                [NSD, "-d", "-c", str(conf)], stdout=log, stderr=subprocess.STDOUT
            )
            self._log = log
            if self._wait(timeout):
                return self
            self.stop()
        raise RuntimeError(f"nsd did not start: {(self.workdir / 'nsd.log').read_text()[-2000:]}")

    def _wait(self, timeout: float) -> bool:
        origin = next(iter(self.zones), "localhost")
        query = dns.message.make_query(origin + ".", "SOA")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                response = dns.query.udp(query, "127.0.0.1", port=self.port, timeout=0.2)
                if response.rcode() == dns.rcode.NOERROR and response.answer:
                    return True
            except (dns.exception.Timeout, OSError):
                pass
            time.sleep(0.05)
        return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if getattr(self, "_log", None):
            self._log.close()
            self._log = None

    def __enter__(self) -> NsdServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
