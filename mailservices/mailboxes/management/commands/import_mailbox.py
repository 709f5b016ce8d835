"""`manage.py import_mailbox ADDRESS --host H ... --password-file F [--dry-run] [--json]`.

The same services as the portal's import job: `--dry-run` is the preview; without it the
mail is copied (resumable: a rerun copies nothing twice). Errors are one line, exit 1.
"""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from mailservices.mailboxes.imap.connection import SECURITIES, ImapError
from mailservices.mailboxes.importer import import_preview, import_run, source_endpoint
from mailservices.mailboxes.models import MailImport
from mailservices.mailboxes.selectors import address_for_email


class Command(BaseCommand):
    help = "Imports (or with --dry-run previews) a mailbox from another provider over IMAP."

    def add_arguments(self, parser):
        parser.add_argument("address", help="our mailbox, e.g. anna@example.ch")
        parser.add_argument("--host", required=True, help="the old provider's IMAP server")
        parser.add_argument("--port", type=int, default=993)
        parser.add_argument("--security", choices=SECURITIES, default="ssl")
        parser.add_argument("--login", required=True, help="user name at the old provider")
        parser.add_argument(
            "--password-file", required=True, help="file holding the old provider's password"
        )
        parser.add_argument("--dry-run", action="store_true", help="preview only")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args, **options):
        as_json, dry_run = options["json"], options["dry_run"]
        try:
            address, source = self._inputs(options)
            if dry_run:
                preview = import_preview(address=address, source=source)
                return self._print_preview(preview, as_json)
            result = import_run(address=address, source=source)
        except (ImapError, CommandError) as exc:
            return self._fail(str(exc), as_json, dry_run)
        if as_json:
            self.stdout.write(json.dumps(result.as_json()))
        else:
            self.stdout.write(
                f"{result.status}: {result.folders} folders, {result.copied} copied, "
                f"{result.skipped} skipped, {result.failed} failed"
            )
            for failure in result.failures:
                self.stdout.write(f"  failed: {failure.folder} UID {failure.uid}: {failure.reason}")
            if result.error:
                self.stderr.write(result.error)
        if result.status != "done":
            sys.exit(1)

    def _inputs(self, options):
        address = address_for_email(options["address"])
        if address is None:
            raise CommandError(f"no mailbox {options['address']}")
        running = MailImport.objects.filter(address=address, state__in=MailImport.ACTIVE_STATES)
        if not options["dry_run"] and any(job.is_active for job in running):
            raise CommandError("an import for this address is already running in the portal")
        try:
            password = Path(options["password_file"]).read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as exc:
            raise CommandError(f"cannot read the password file: {exc.strerror}") from None
        source = source_endpoint(
            host=options["host"],
            port=options["port"],
            security=options["security"],
            login=options["login"],
            password=password,
        )
        return address, source

    def _print_preview(self, preview, as_json):
        if as_json:
            self.stdout.write(json.dumps(preview.as_json()))
            return
        for folder in preview.folders:
            self.stdout.write(
                f"{folder['name']}: {folder['messages']} messages, {folder['bytes']} bytes"
                f" -> {folder['target']}"
            )
        fits = "fits" if preview.fits else "does NOT fit"
        self.stdout.write(
            f"{preview.messages} messages, {preview.bytes} bytes; "
            f"{fits} into {preview.free_bytes} bytes free"
        )

    def _fail(self, message, as_json, dry_run):
        line = " ".join(message.split())
        if as_json:
            if dry_run:
                payload = {"folders": [], "messages": 0, "bytes": 0, "error": line}
            else:
                payload = {
                    "status": "failed",
                    "folders": 0,
                    "copied": 0,
                    "skipped": 0,
                    "failed": 0,
                    "error": line,
                }
            self.stdout.write(json.dumps(payload))
        else:
            self.stderr.write(f"error: {line}")
        sys.exit(1)
