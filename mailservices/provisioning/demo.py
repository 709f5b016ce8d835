"""Demo data for the DNS provisioning: every demo mail service gets its DKIM key (and, for a
domain registered through us, the mail records in its zone). No diagnosis is invented: the
demo user starts one with "Jetzt prüfen"."""

from mailservices.models import MailService
from mailservices.provisioning.services import mailservice_provision_dns


def seed(*, customer, stdout):
    services = MailService.objects.for_customer(customer).select_related("domain")
    for service in services:
        mailservice_provision_dns(service=service)
    stdout.write(f"  DNS-Einrichtung: DKIM keys and zone records for {len(services)} service(s)")
