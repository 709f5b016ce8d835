"""Demo data: a Service Mail service for demo-kunde.ch with addresses, an alias, a forward
and a responder. Idempotent; prints the mail password so the demo can be tried in a client."""

from datetime import timedelta

from django.utils import timezone

from mailservices.models import Domain
from mailservices.services import domain_create, mailservice_create
from mailservices.services.addresses import (
    address_create,
    alias_create,
    forward_create,
    responder_save,
)

DEMO_DOMAIN = "demo-kunde.ch"
DEMO_MAIL_PASSWORD = "Alpen-Demo-Postfach-2026"  # noqa: S105 (printed on purpose)


def seed(*, customer, stdout):
    if Domain.objects.filter(name=DEMO_DOMAIN).exists():
        stdout.write(f"  Mail: {DEMO_DOMAIN} exists (mail password {DEMO_MAIL_PASSWORD})")
        return
    domain = domain_create(customer=customer, name=DEMO_DOMAIN, source=Domain.Source.REGISTERED)
    service = mailservice_create(domain=domain, plan="service_mail", address_quota=5)
    anna = address_create(
        service=service,
        local_part="anna.muster",
        display_name="Anna Muster",
        password=DEMO_MAIL_PASSWORD,
    )
    address_create(
        service=service,
        local_part="buchhaltung",
        display_name="Buchhaltung",
        password=DEMO_MAIL_PASSWORD,
    )
    address_create(
        service=service,
        local_part="info",
        kind="redirect",
        forward_to=["anna.muster@demo-kunde.ch"],
    )
    alias_create(address=anna, local_part="kontakt")
    forward_create(address=anna, destination="anna.privat@example.net")
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    responder_save(
        address=anna,
        enabled=True,
        subject="Abwesend bis Ende Monat",
        body=(
            "Guten Tag\n\nIch bin bis Ende Monat nicht im Büro. In dringenden Fällen "
            "schreiben Sie bitte an buchhaltung@demo-kunde.ch.\n\nFreundliche Grüsse\nAnna Muster"
        ),
        starts_at=now,
        ends_at=now + timedelta(days=14),
        interval_days=7,
    )
    stdout.write(
        f"  Mail: {DEMO_DOMAIN} with anna.muster@, buchhaltung@ (mail password "
        f"{DEMO_MAIL_PASSWORD}), info@ (redirect), alias kontakt@"
    )
