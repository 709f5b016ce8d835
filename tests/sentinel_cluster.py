"""A real Redis primary, a replica and three sentinels on 127.0.0.1 (Debian's redis-server
and redis-sentinel), in a temporary directory, for the failover tests."""

import shutil
import subprocess
import time
from pathlib import Path

import redis

from tests.redis_server import RedisServer, free_port

SERVICE = "mymaster"


def available() -> bool:
    return bool(shutil.which("redis-server") and shutil.which("redis-sentinel"))


class SentinelCluster:
    def __init__(self, workdir: Path):
        self.workdir = workdir
        (workdir / "primary").mkdir()
        (workdir / "replica").mkdir()
        self.primary = RedisServer(workdir / "primary")
        self.replica = RedisServer(
            workdir / "replica",
            extra=("--replicaof", "127.0.0.1", "PRIMARY"),  # port filled in by start()
        )
        self.sentinel_ports = [free_port() for _ in range(3)]
        self.sentinels: list[subprocess.Popen] = []

    @property
    def url(self) -> str:
        hosts = ",".join(f"127.0.0.1:{port}" for port in self.sentinel_ports)
        return f"sentinel://{hosts}/{SERVICE}/0"

    def start(self):
        self.primary.start()
        self.replica.extra = ("--replicaof", "127.0.0.1", str(self.primary.port))
        self.replica.start()
        self._wait(lambda: self._link_up(self.replica.port), "the replica to sync")
        for i, port in enumerate(self.sentinel_ports):
            conf = self.workdir / f"sentinel{i}.conf"
            conf.write_text(
                f"port {port}\nbind 127.0.0.1\ndir {self.workdir}\n"
                f"sentinel monitor {SERVICE} 127.0.0.1 {self.primary.port} 2\n"
                f"sentinel down-after-milliseconds {SERVICE} 1000\n"
                f"sentinel failover-timeout {SERVICE} 4000\n"
                f"sentinel parallel-syncs {SERVICE} 1\n"
            )
            self.sentinels.append(
                subprocess.Popen(
                    [shutil.which("redis-sentinel"), str(conf)],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        self._wait(self._sentinels_agree, "the sentinels to see the primary and its replica")
        return self

    def master_port(self) -> int | None:
        for port in self.sentinel_ports:
            try:
                host, master = redis.Redis(port=port, socket_timeout=0.5).execute_command(
                    "SENTINEL", "GET-MASTER-ADDR-BY-NAME", SERVICE
                )
                return int(master)
            except (redis.RedisError, TypeError, ValueError):
                continue
        return None

    def kill_primary(self) -> None:
        self.primary.proc.kill()
        self.primary.proc.wait(10)

    def wait_for_failover(self, timeout: float = 30.0) -> None:
        self._wait(
            lambda: (
                self.master_port() == self.replica.port
                and redis.Redis(port=self.replica.port).info("replication")["role"] == "master"
            ),
            "a sentinel to promote the replica",
            timeout,
        )

    def stop(self) -> None:
        for proc in self.sentinels:
            if proc.poll() is None:
                proc.terminate()
                proc.wait(10)
        self.replica.stop()
        self.primary.stop()

    def _link_up(self, port: int) -> bool:
        info = redis.Redis(port=port).info("replication")
        return info.get("master_link_status") == "up"

    def _sentinels_agree(self) -> bool:
        for port in self.sentinel_ports:
            try:
                master = redis.Redis(port=port, socket_timeout=0.5).sentinel_master(SERVICE)
            except redis.RedisError:
                return False
            if master.get("num-other-sentinels", 0) < 2 or master.get("num-slaves", 0) < 1:
                return False
        return True

    @staticmethod
    def _wait(predicate, what: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if predicate():
                    return
            except redis.RedisError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"timed out waiting for {what}")
