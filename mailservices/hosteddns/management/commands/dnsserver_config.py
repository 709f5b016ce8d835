"""`manage.py dnsserver_config --out DIR [--listen 127.0.0.1:5353]`: PowerDNS's pdns.conf."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from mailservices.hosteddns import server
from mailservices.hosteddns.services import zone_defaults_sync

VIEWS = ("domains", "records", "cryptokeys", "domainmetadata")


class Command(BaseCommand):
    help = (
        "Writes the pdns.conf that makes PowerDNS (gpgsql backend) serve the hosted zones "
        "straight from the portal's PostgreSQL database (gsqlite3 on its SQLite file)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="directory to write pdns.conf into")
        parser.add_argument(
            "--listen", default="0.0.0.0:53", help="HOST:PORT to answer on (default port 53)"
        )
        parser.add_argument(
            "--db-user",
            default="",
            help="database role for PowerDNS (read on the pdns schema); default: the "
            "portal's own role",
        )
        parser.add_argument(
            "--db-password-file",
            default=None,
            help="file holding that role's password (not given on the command line)",
        )
        parser.add_argument(
            "--socket-dir", default="/run/pdns", help="directory of PowerDNS's control socket"
        )

    def handle(self, *args, out, listen, db_user, db_password_file, socket_dir, **options):
        password = ""
        if db_password_file:
            try:
                password = Path(db_password_file).read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise CommandError(f"cannot read {db_password_file}: {exc}") from exc
        try:
            host, port = server.parse_listen(listen)
            database = server.Database.from_connection(user=db_user, password=password)
            layout = server.Layout(
                database=database, listen_address=host, listen_port=port, socket_dir=socket_dir
            )
            text = server.render(layout)
        except server.ConfigError as exc:
            raise CommandError(str(exc)) from exc
        self._check_schema()
        zone_defaults_sync()
        try:
            path = server.write(text, Path(out).resolve())
        except OSError as exc:
            raise CommandError(f"cannot write to {out}: {exc}") from exc
        self.stdout.write(str(path))
        where = "schema pdns" if database.driver == "pgsql" else "gsqlite3"
        self.stdout.write(
            self.style.SUCCESS(f"PowerDNS on {host}:{port} reading {database.name} ({where})")
        )

    def _check_schema(self):
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("SELECT name FROM sqlite_master WHERE type = 'view'")
            else:
                cursor.execute(
                    "SELECT table_name FROM information_schema.views WHERE table_schema = 'pdns'"
                )
            existing = {row[0] for row in cursor.fetchall()}
        missing = [name for name in VIEWS if name not in existing]
        if missing:
            raise CommandError(
                "The pdns views are missing (" + ", ".join(missing) + "); run "
                "`manage.py migrate` first."
            )
