"""`manage.py diagnose DOMAIN [--nameserver HOST:PORT] [--json]`: one diagnosis, printed."""

import json
from dataclasses import replace

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from mailservices.diagnosis.checks import ProviderFacts
from mailservices.diagnosis.resolver import make_resolver
from mailservices.diagnosis.runner import diagnose
from mailservices.diagnosis.selectors import nameserver_for, zone_facts
from mailservices.models import Domain
from mailservices.provisioning.models import DkimKey
from mailservices.validators import to_a_label

SYMBOLS = {"ok": "OK", "warning": "WARNUNG", "error": "FEHLER", "unknown": "UNBEKANNT"}


class Command(BaseCommand):
    help = (
        "Diagnoses the mail DNS records (MX, SPF, DKIM, DMARC, autoconfig, DAV, MTA-STS, "
        "DNSSEC) of a domain."
    )

    def add_arguments(self, parser):
        parser.add_argument("domain", help="Domain, Unicode or punycode")
        parser.add_argument(
            "--nameserver",
            metavar="HOST:PORT",
            help=(
                "Send every DNS question to this server only (default: where the portal's "
                "runs ask: our own name server for a hosted zone, else "
                "PORTAL_DIAGNOSIS_NAMESERVER, else the system's resolvers)"
            ),
        )
        parser.add_argument("--json", action="store_true", help="Print the result as JSON")

    def handle(self, *args, domain, nameserver=None, json=False, **options):
        try:
            name = to_a_label(domain)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        domain_row = Domain.objects.filter(name=name).first()
        server = nameserver_for(domain=domain_row, pinned=nameserver)
        try:
            resolver = make_resolver(server)
        except (ValueError, OSError) as exc:
            raise CommandError(f"--nameserver {server}: {exc}") from exc
        key = DkimKey.objects.filter(service__domain__name=name).first()
        provider = ProviderFacts.from_settings()
        if key:
            provider = replace(provider, dkim_selector=key.selector)
        result = diagnose(
            name,
            provider=provider,
            resolver=resolver,
            dkim_public_key=key.public_key if key else None,
            zone=zone_facts(domain=domain_row) if domain_row else None,
        )
        if json:
            self.stdout.write(_dumps(result.to_json()))
            return
        self.stdout.write(f"{result.domain}: {SYMBOLS[result.status]}")
        for check in result.checks:
            self.stdout.write(f"\n[{SYMBOLS[check.status]}] {check.name}: {check.message}")
            for record in check.records:
                prefix = "-" if record.action == "remove" else "+"
                self.stdout.write(f"    {prefix} {record.zone_line}")


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
