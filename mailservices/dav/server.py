"""The DAV server process: Radicale's WSGI application behind a small threaded HTTP server.

The portal-specific parts are thin: the client's address is resolved behind our proxies
(`client_ip_from_forwarded`) before Radicale sees it, each request's database connection is
closed when it ends, and at most `MAX_CONNECTIONS` requests run at once. Everything DAV is
Radicale's own; who may log in is `mailservices.dav.auth`.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import socket
import threading
import wsgiref.simple_server

from django.db import connections
from radicale import Application, config
from radicale.server import RequestHandler

from mailservices.dav.app_settings import app_settings
from portal.core.clientip import client_ip_from_forwarded

AUTH_PLUGIN = "mailservices.dav.auth"
# Created with the principal the first time an address logs in (Radicale's
# `predefined_collections`), so a freshly set-up client finds both at once.
DEFAULT_COLLECTIONS = {
    "kalender": {
        "tag": "VCALENDAR",
        "D:displayname": "Kalender",
        "C:supported-calendar-component-set": "VEVENT,VTODO,VJOURNAL",
    },
    "kontakte": {"tag": "VADDRESSBOOK", "D:displayname": "Kontakte"},
}


def parse_bind(value: str) -> tuple[str, int]:
    """`"127.0.0.1:5232"` or `"[::1]:5232"` -> (host, port)."""
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) < 65536:
        raise ValueError(f"--bind expects HOST:PORT, got {value!r}")
    return host.strip("[]"), int(port)


def radicale_configuration(
    *, storage_dir: str | None = None, auth: dict | None = None
) -> config.Configuration:
    """Radicale's configuration from the portal's settings (no Radicale config file)."""
    configuration = config.load()
    values = {
        "server": {
            "max_content_length": str(app_settings.MAX_UPLOAD_BYTES),
            "max_resource_size": str(app_settings.MAX_UPLOAD_BYTES * 8 // 10),
            "timeout": str(app_settings.TIMEOUT_SECONDS),
            "max_connections": str(app_settings.MAX_CONNECTIONS),
            # We are the HTTP server: Radicale then refuses bodies over max_content_length.
            "_internal_server": "True",
        },
        "encoding": {"request": "utf-8", "stock": "utf-8"},
        "auth": {
            "type": AUTH_PLUGIN,
            "delay": str(app_settings.FAILED_LOGIN_DELAY),
            "realm": "Kontakte und Kalender",
            "lc_username": "True",
        },
        "rights": {"type": "owner_only"},
        "storage": {
            "type": "multifilesystem",
            "filesystem_folder": storage_dir or app_settings.STORAGE_DIR,
            "predefined_collections": json.dumps(DEFAULT_COLLECTIONS),
        },
        "web": {"type": "none"},
        "logging": {"mask_passwords": "True"},
    }
    if auth:
        values["auth"].update(auth)
    configuration.update(values, "portal settings", privileged=True)
    return configuration


class PortalDavApplication:
    """WSGI wrapper: the real client address for Radicale; database connections are kept
    per worker thread (PostgreSQL ones closed when broken or older than CONN_MAX_AGE)."""

    def __init__(self, radicale_app: Application):
        self.radicale_app = radicale_app

    def __call__(self, environ, start_response):
        environ["REMOTE_ADDR"] = client_ip_from_forwarded(
            environ.get("REMOTE_ADDR", ""), environ.get("HTTP_X_FORWARDED_FOR")
        )
        environ.pop("HTTP_X_REMOTE_ADDR", None)  # Radicale would trust it; we do not
        try:
            return list(self.radicale_app(environ, start_response))
        finally:
            for conn in connections.all(initialized_only=True):
                if conn.vendor != "sqlite":  # SQLite: reopening costs more than keeping it
                    conn.close_if_unusable_or_obsolete()


class DavHTTPServer(wsgiref.simple_server.WSGIServer):
    """A fixed pool of `max_connections` worker threads (each keeps its database connection
    between requests); accepted connections wait in a queue for a free worker."""

    request_queue_size = 128  # listen backlog: 100 phones syncing at once must not be reset

    def __init__(self, address, *, max_connections: int, timeout: float):
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self._timeout = timeout
        self._pending: queue.Queue = queue.Queue()
        super().__init__(address, RequestHandler)
        self._workers = [
            threading.Thread(target=self._work, name=f"dav-worker-{n}", daemon=True)
            for n in range(max_connections)
        ]
        for worker in self._workers:
            worker.start()

    def get_request(self):
        request, client_address = super().get_request()
        request.settimeout(self._timeout)
        return request, client_address

    def process_request(self, request, client_address):
        self._pending.put((request, client_address))

    def _work(self):
        while (item := self._pending.get()) is not None:
            request, client_address = item
            try:
                self.finish_request(request, client_address)
            except Exception:
                self.handle_error(request, client_address)
            finally:
                self.shutdown_request(request)
        for conn in connections.all(initialized_only=True):
            conn.close()

    def server_close(self):
        super().server_close()
        for _worker in self._workers:
            self._pending.put(None)
        for worker in self._workers:
            worker.join(5)


def make_server(
    host: str, port: int, *, configuration: config.Configuration | None = None
) -> DavHTTPServer:
    """A bound, not yet serving DAV server (port 0 picks a free port)."""
    configuration = configuration or radicale_configuration()
    logging.getLogger("radicale").setLevel(app_settings.LOG_LEVEL)
    folder = configuration.get("storage", "filesystem_folder")
    os.makedirs(os.path.join(folder, "collection-root"), mode=0o700, exist_ok=True)
    server = DavHTTPServer(
        (host, port),
        max_connections=app_settings.MAX_CONNECTIONS,
        timeout=app_settings.TIMEOUT_SECONDS,
    )
    server.set_app(PortalDavApplication(Application(configuration)))
    return server


class DavServerThread:
    """A DAV server in a background thread (tests, the benchmark): `with ... as dav:`."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, **kwargs):
        self.server = make_server(host, port, **kwargs)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/"

    def __enter__(self) -> DavServerThread:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)
