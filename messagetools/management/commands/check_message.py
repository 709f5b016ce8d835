"""`manage.py check_message FILE [--json]`: the portal's message check on the command line."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from messagetools.engine import NotAMessage, check_message
from messagetools.spf import sender_spf


class Command(BaseCommand):
    help = (
        "Checks a message (.eml) against the filter rules: forbidden attachments (also in "
        "archives), archive bombs, links, spam phrases, SPF. Exit code 0 for any verdict."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the message (.eml); '-' reads standard input.")
        parser.add_argument("--json", action="store_true", help="Print the result as JSON.")
        parser.add_argument(
            "--no-spf", action="store_true", help="Skip the SPF lookup of the sender domain."
        )
        parser.add_argument("--language", default=None, help="Language of the details (de, en).")

    def handle(self, *args, **options):
        raw = self._read(options["file"])
        with translation.override(options["language"] or translation.get_language() or "de"):
            try:
                report = check_message(raw, spf_checker=None if options["no_spf"] else sender_spf)
            except NotAMessage as error:
                raise CommandError(f"{options['file']}: {error}") from None
            if options["json"]:
                self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
                return
            self.stdout.write(f"verdict: {report.verdict}")
            for finding in report.sorted_findings():
                where = f" [{finding.location}]" if finding.location else ""
                self.stdout.write(f"- {finding.severity:6} {finding.code}: {finding.detail}{where}")

    def _read(self, name: str) -> bytes:
        if name == "-":
            import sys

            return sys.stdin.buffer.read()
        path = Path(name)
        if not path.is_file():
            raise CommandError(f"{name}: no such file")
        try:
            return path.read_bytes()
        except OSError as error:
            raise CommandError(f"{name}: {error.strerror}") from None
