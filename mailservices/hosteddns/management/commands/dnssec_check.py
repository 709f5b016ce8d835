"""`manage.py dnssec_check ZONE [--nameserver HOST:PORT] [--ds "TAG ALG TYPE DIGEST"]`."""

import json

import dns.message
import dns.query
from django.core.management.base import BaseCommand, CommandError

from mailservices.diagnosis.resolver import parse_nameserver
from mailservices.hosteddns.app_settings import app_settings
from mailservices.hosteddns.dnssec import check_chain
from mailservices.hosteddns.selectors import zone_ds_records
from mailservices.models import Domain


class Command(BaseCommand):
    help = (
        "Checks the DNSSEC chain of a hosted zone on our name server: DNSKEY against the DS "
        "the portal hands to the registry (or --ds), signatures valid."
    )

    def add_arguments(self, parser):
        parser.add_argument("zone")
        parser.add_argument(
            "--nameserver", default="", help="HOST:PORT (default PORTAL_DNS_SERVER)"
        )
        parser.add_argument(
            "--ds", action="append", default=[], help="a DS record to check against"
        )

    def handle(self, *args, zone, nameserver, ds, **options):
        server = nameserver or app_settings.DNS_SERVER
        if not server:
            raise CommandError("--nameserver or PORTAL_DNS_SERVER is needed")
        host, port = parse_nameserver(server)
        zone = zone.rstrip(".").lower()
        if not ds:
            domain = Domain.objects.filter(name=zone).first()
            ds = [r.text for r in zone_ds_records(domain=domain)] if domain else []

        def query(name, rdtype):
            message = dns.message.make_query(name, rdtype, want_dnssec=True)
            return dns.query.tcp(message, host, port=port, timeout=5)

        status, reason = check_chain(zone, query, ds)
        self.stdout.write(json.dumps({"zone": zone, "status": status, "reason": reason}))
