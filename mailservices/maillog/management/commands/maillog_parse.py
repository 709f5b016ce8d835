"""`manage.py maillog_parse FILE [--json]`: a Postfix log file -> the final outcome per queue
id and recipient, without a database (the same parser as `maillog_follow`)."""

import gzip
import json
import os
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from mailservices.maillog.parser import parse_lines


def _open(path: str):
    if path.endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8", errors="replace")
    return open(path, encoding="utf-8", errors="replace")  # noqa: SIM115 (closed by caller)


class Command(BaseCommand):
    help = "Parses a Postfix log file and prints one outcome per message and recipient."
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("file", help="Postfix log (maillog_file or syslog), plain or .gz")
        parser.add_argument("--json", action="store_true", help="print a JSON list")
        parser.add_argument(
            "--timezone",
            default=settings.TIME_ZONE,
            help="zone of timestamps without an offset (default: TIME_ZONE)",
        )

    def handle(self, *args, **options):
        path = options["file"]
        try:
            # Timestamps without a year belong to the year that puts them before the file's
            # last change (a log read in January keeps December in the year before).
            now = datetime.fromtimestamp(os.stat(path).st_mtime, UTC)
            with _open(path) as lines:
                outcomes = parse_lines(lines, now=now, tz=ZoneInfo(options["timezone"]))
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            raise CommandError(f"cannot read {path}: {exc}") from exc
        if options["json"]:
            json.dump([o.as_json() for o in outcomes], self.stdout, ensure_ascii=False, indent=1)
            self.stdout.write("")
            return
        for o in outcomes:
            self.stdout.write(
                f"{o.time:%Y-%m-%d %H:%M:%S} {o.queue_id or 'NOQUEUE':<16} {o.status:<9} "
                f"{o.dsn:<6} {o.sender or '<>'} -> {o.recipient}  {o.reason[:100]}"
            )
