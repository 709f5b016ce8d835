"""A private OpenDKIM milter on 127.0.0.1 (free port, temporary directory) signing with the
files `manage.py dkim_keys` writes: its opendkim.conf is our few process lines plus the
`opendkim.conf.portal` the command writes, as a mail host would run it."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from tests.hosteddns.harness import free_port


def missing_binaries() -> list[str]:
    return [name for name in ("opendkim",) if shutil.which(name) is None]


class OpenDkim:
    def __init__(self, keys_dir: Path, conf: str = "opendkim.conf.portal"):
        self.base = Path(tempfile.mkdtemp(prefix="opendkim-"))
        self.keys_dir = keys_dir
        self.conf = conf
        self.port = free_port()
        self.pid_file = self.base / "opendkim.pid"
        self.process: subprocess.Popen | None = None

    @property
    def milter(self) -> str:
        """Postfix's name of the milter socket."""
        return f"inet:127.0.0.1:{self.port}"

    def config_text(self) -> str:
        return (
            "Syslog no\n"
            "Background no\n"
            "Mode s\n"
            f"Socket inet:{self.port}@127.0.0.1\n"
            f"PidFile {self.pid_file}\n"
            "InternalHosts 127.0.0.1\n"
            # The temporary directory lies under /tmp, which everyone may write: OpenDKIM
            # calls such key files unsafe. A mail host keeps the default (yes) with the
            # keys under /etc/opendkim; the export's modes are checked in test_export.
            "RequireSafeKeys false\n" + (self.keys_dir / self.conf).read_text()
        )

    def start(self) -> None:
        conf = self.base / "opendkim.conf"
        conf.write_text(self.config_text())
        log = open(self.base / "opendkim.log", "w")  # noqa: SIM115 (kept open for the process)
        self.process = subprocess.Popen(
            ["opendkim", "-f", "-x", str(conf)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        import socket

        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"opendkim exited:\n{self.logs()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.1)
        raise TimeoutError(f"OpenDKIM did not listen on {self.port}:\n{self.logs()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.base, ignore_errors=True)

    def logs(self) -> str:
        try:
            return (self.base / "opendkim.log").read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def alive(self) -> bool:
        return (
            self.process is not None
            and self.process.poll() is None
            and os.path.exists(self.pid_file)
        )
