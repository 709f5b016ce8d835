"""`manage.py davserver --bind 127.0.0.1:5232`: CalDAV/CardDAV for every address."""

import signal
import threading

from django.core.management.base import BaseCommand, CommandError

from mailservices.dav.app_settings import app_settings
from mailservices.dav.server import make_server, parse_bind


class Command(BaseCommand):
    help = "Serves calendars and contacts (Radicale) with logins checked against the portal."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1:5232", help="HOST:PORT to listen on")

    def handle(self, *args, bind, **options):
        try:
            host, port = parse_bind(bind)
            server = make_server(host, port)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        except OSError as exc:
            raise CommandError(f"cannot listen on {bind}: {exc}") from exc

        def stop(signum, frame):
            threading.Thread(target=server.shutdown, daemon=True).start()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write(
            f"davserver listening on {host}:{port} (storage {app_settings.STORAGE_DIR})"
        )
        self.stdout.flush()
        try:
            server.serve_forever()
        finally:
            server.server_close()
        self.stdout.write("davserver stopped")
