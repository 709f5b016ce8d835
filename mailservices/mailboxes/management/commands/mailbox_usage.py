"""`manage.py mailbox_usage ADDRESS [--json]`: storage used by a mailbox, as Dovecot reported it."""

import contextlib
import json

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat

from mailservices.mailboxes.selectors import address_for_email, storage_of


class Command(BaseCommand):
    help = "Prints the storage used by a mailbox (Dovecot's quota, written to the database)."

    def add_arguments(self, parser):
        parser.add_argument("address", help="the mailbox address, e.g. anna@example.ch")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args, address, json: bool = False, **options):
        found = address_for_email(_ascii(address))
        if found is None:
            raise CommandError(f"no mailbox {address}")
        storage = storage_of(found)
        email = f"{found.local_part}@{found.service.domain.name}"
        if json:
            self.stdout.write(_dumps(email, storage))
        else:
            self.stdout.write(
                f"{email}: {filesizeformat(storage.used_bytes)} of "
                f"{filesizeformat(storage.quota_bytes)} ({storage.percent} %), "
                f"{storage.messages} messages"
            )


def _dumps(email, storage) -> str:
    return json.dumps(
        {
            "address": email,
            "used_bytes": storage.used_bytes,
            "quota_bytes": storage.quota_bytes,
            "messages": storage.messages,
        }
    )


def _ascii(address: str) -> str:
    local, _at, domain = address.strip().rpartition("@")
    with contextlib.suppress(UnicodeError):
        domain = domain.encode("idna").decode("ascii")
    return f"{local}@{domain}"
