"""`manage.py report_parse FILE --json`: one DMARC aggregate or TLS-RPT report -> JSON.

A file that is not a report, or a hostile one, prints {"error": "..."} and exits with 1.
"""

import json
import sys

from django.core.management.base import BaseCommand

from mailservices.reports.parser import ReportError, read_report_file


class Command(BaseCommand):
    help = "Parses a DMARC aggregate or TLS-RPT report (XML/JSON, .gz, .zip or .eml)."
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--json", action="store_true", help="print JSON (the default)")

    def handle(self, *args, **options):
        try:
            report = read_report_file(options["file"])
        except ReportError as exc:
            self._fail(str(exc))
        except OSError as exc:
            self._fail(f"cannot read the file: {exc.strerror or exc}")
        except Exception as exc:  # noqa: BLE001 - a hostile file never gets a traceback
            self._fail(f"unreadable report ({type(exc).__name__})")
        self.stdout.write(json.dumps(report.as_json(), ensure_ascii=False, indent=1))

    def _fail(self, message: str):
        self.stdout.write(json.dumps({"error": message}, ensure_ascii=False))
        sys.exit(1)
