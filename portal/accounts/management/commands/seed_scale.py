"""`manage.py seed_scale --customers 100000 --addresses 1000000`: a provider-sized database.

Bulk inserts in batches (no per-row services, no per-row password hashing): customers with
their login and membership, one domain and mail service each, the addresses spread over them
(customer 1 gets one service with 500 addresses, as the pages bench needs), aliases, one
active order per customer, a day of hourly sending history for the busiest customers and one
diagnosis result per service. Meant for an empty database (`migrate` first); refuses to run
twice. Every login password is the one given (`--password`), every mail password likewise.
"""

import time
import uuid
from datetime import timedelta
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from mailservices.diagnosis.models import DiagnosisRun
from mailservices.models import Address, Alias, Domain, MailService
from mailservices.passwords import hash_mail_password
from mailservices.plans import Plan
from portal.accounts.models import Customer, Membership, User
from portal.shop.models import Order, OrderLine, Price, Product
from quotas.models import UsageHour

DOMAIN_SUFFIX = "scale.example"
BIG_SERVICE_ADDRESSES = 500


def customer_email(i: int) -> str:
    return f"kunde{i}@{DOMAIN_SUFFIX}"


def domain_name(i: int) -> str:
    return f"firma{i}.{DOMAIN_SUFFIX}"


class Command(BaseCommand):
    help = "Fills an empty database with a provider's number of customers and addresses."

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=100_000)
        parser.add_argument("--addresses", type=int, default=1_000_000)
        parser.add_argument("--batch", type=int, default=5_000)
        parser.add_argument("--password", default="Skalierung-Test-2026")
        parser.add_argument(
            "--usage-customers",
            type=int,
            default=1_000,
            help="customers whose addresses get 24 hours of sending history",
        )

    def handle(self, *args, customers, addresses, batch, password, usage_customers, **options):
        if customers < 1 or addresses < customers:
            raise CommandError("need at least one customer and one address per customer")
        if User.objects.filter(email=customer_email(1)).exists():
            raise CommandError("this database is already seeded (seed_scale runs once)")
        self.batch = batch
        self.started = time.monotonic()
        login_hash = make_password(password)
        mail_hash = hash_mail_password(password)
        now = timezone.now()

        users = self._bulk(
            User,
            (User(email=customer_email(i), password=login_hash) for i in range(1, customers + 1)),
        )
        self._bulk(
            EmailAddress,
            (EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users),
        )
        owners = self._bulk(
            Customer,
            (
                Customer(owner=u, name=f"Firma {i} AG", number=f"S{i:08d}")
                for i, u in enumerate(users, start=1)
            ),
        )
        self._bulk(
            Membership,
            (Membership(customer=c, user=c.owner, role=Membership.Role.OWNER) for c in owners),
        )
        domains = self._bulk(
            Domain,
            (Domain(customer=c, name=domain_name(i)) for i, c in enumerate(owners, start=1)),
        )
        per_service = self._spread(addresses, customers)
        services = self._bulk(
            MailService,
            (
                MailService(
                    domain=d,
                    plan=Plan.SERVICE_MAIL,
                    address_quota=max(5, count),
                    status="active",
                )
                for d, count in zip(domains, per_service, strict=True)
            ),
        )
        all_addresses = self._bulk(
            Address,
            (
                Address(service=s, local_part=f"user{j}", password_hash=mail_hash)
                for s, count in zip(services, per_service, strict=True)
                for j in range(count)
            ),
        )
        first_of_service = {}
        for address in all_addresses:
            first_of_service.setdefault(address.service_id, address)
        self._bulk(
            Alias,
            (
                Alias(service_id=sid, local_part="info", address=a)
                for sid, a in first_of_service.items()
            ),
        )
        self._orders(owners, domains, now)
        busiest = {s.pk for s in services[:usage_customers]}
        hours = [
            now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=h) for h in range(24)
        ]
        self._bulk(
            UsageHour,
            (
                UsageHour(address=a, channel="smtp", hour=hour, recipients=(a.pk + k) % 7)
                for a in all_addresses
                if a.service_id in busiest
                for k, hour in enumerate(hours)
            ),
        )
        self._bulk(
            DiagnosisRun,
            (
                DiagnosisRun(
                    service=s,
                    trigger="scheduled",
                    state="done",
                    status="ok",
                    results=[],
                    finished_at=now,
                )
                for s in services
            ),
        )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # fresh statistics, as autovacuum would give later
        self.stdout.write(
            f"seeded {customers} customers, {len(all_addresses)} addresses in "
            f"{time.monotonic() - self.started:.0f} s; logins {customer_email(1)} … "
            f"{customer_email(customers)}, password {password!r}"
        )

    @staticmethod
    def _spread(addresses: int, customers: int) -> list[int]:
        """Addresses per customer: the first gets BIG_SERVICE_ADDRESSES, the rest share."""
        big = min(BIG_SERVICE_ADDRESSES, addresses - (customers - 1))
        rest, extra = divmod(addresses - big, max(customers - 1, 1))
        counts = [big] + [rest + (1 if i < extra else 0) for i in range(customers - 1)]
        return counts[:customers]

    def _orders(self, owners, domains, now):
        product = Product.objects.get(code="service-mail")
        price = Price.objects.filter(product=product).order_by("-valid_from").first()
        net = price.amount
        vat = (net * Decimal("0.081")).quantize(Decimal("0.01"))
        orders = self._bulk(
            Order,
            (
                Order(
                    customer=c,
                    idempotency_key=uuid.uuid4(),
                    status="active",
                    total_net=net,
                    total_vat=vat,
                    total_gross=net + vat,
                    billing_name=c.name,
                    billing_street="Bahnhofstrasse",
                    billing_house_number="1",
                    billing_postcode="8001",
                    billing_town="Zürich",
                    billing_country="CH",
                    terms_accepted_at=now,
                    paid_at=now,
                    activated_at=now,
                )
                for c in owners
            ),
        )
        self._bulk(
            OrderLine,
            (
                OrderLine(
                    order=o,
                    position=1,
                    kind="new_service",
                    product=product,
                    price=price,
                    description=f"Service Mail für {d.name}",
                    billing_period=product.billing_period,
                    quantity=1,
                    unit_price=net,
                    net=net,
                    vat_rate=Decimal("8.10"),
                    vat=vat,
                    gross=net + vat,
                    domain_name=d.name,
                    plan=Plan.SERVICE_MAIL,
                    provisioned_at=now,
                )
                for o, d in zip(orders, domains, strict=True)
            ),
        )

    def _bulk(self, model, rows) -> list:
        """Inserts `rows` in batches, each in its own transaction; returns the saved objects."""
        saved = []
        chunk = []
        for row in rows:
            chunk.append(row)
            if len(chunk) >= self.batch:
                saved += self._insert(model, chunk)
                chunk = []
        if chunk:
            saved += self._insert(model, chunk)
        self.stdout.write(
            f"  {model._meta.label}: {len(saved)} ({time.monotonic() - self.started:.0f} s)"
        )
        return saved

    @staticmethod
    def _insert(model, chunk) -> list:
        with transaction.atomic():
            return model.objects.bulk_create(chunk)
