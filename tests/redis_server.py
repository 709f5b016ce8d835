"""A throwaway redis-server on a free port of 127.0.0.1, for tests that need Redis.

Tests never use a Redis they did not start: a demo or a production-like set-up on the
machine's shared Redis keeps its counters, cache and queues untouched by a test run.
"""

import shutil
import subprocess
import time

import redis

from tests.ports import free_port


class RedisServer:
    """A redis-server in `workdir` on a free port; `extra` adds config arguments."""

    def __init__(self, workdir, *, port: int | None = None, extra: tuple[str, ...] = ()):
        self.exe = shutil.which("redis-server")
        self.workdir = workdir
        self.port = port or free_port()
        self.extra = extra
        self.proc = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.proc = subprocess.Popen(
            [
                self.exe,
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
                *self.extra,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        for _ in range(100):
            try:
                client.ping()
                return self
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
