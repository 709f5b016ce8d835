"""`manage.py report_receive [RECIPIENT]`: Postfix's pipe transport hands one report mail
on stdin; it is stored and ingested in the background. Exit 75 (EX_TEMPFAIL) makes Postfix
try again later when the database is unreachable."""

import sys

from django.core.management.base import BaseCommand
from django.db import DatabaseError

from mailservices.reports.app_settings import app_settings
from mailservices.reports.services import report_mail_receive

EX_DATAERR = 65
EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = "Receives one report mail on stdin (Postfix pipe transport)."

    def add_arguments(self, parser):
        parser.add_argument("recipient", nargs="?", default="")

    def handle(self, *args, **options):
        limit = app_settings.MAX_MAIL_BYTES
        raw = sys.stdin.buffer.read(limit + 1)
        if len(raw) > limit:
            self.stderr.write("report mail too large")
            sys.exit(EX_DATAERR)
        try:
            mail = report_mail_receive(raw=raw, recipient=options["recipient"])
        except DatabaseError as exc:
            self.stderr.write(f"cannot store the report mail now: {type(exc).__name__}")
            sys.exit(EX_TEMPFAIL)
        self.stdout.write(f"report mail {mail.pk} queued")
