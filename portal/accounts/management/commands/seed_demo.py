"""Loads the demo data: a demo customer, a staff user, and each app's demo content.

Idempotent: running it again changes nothing that is already there. Apps add their part in
a `demo.py` module with `seed(*, customer, stdout)`; this command calls them in app order.
"""

import importlib
import importlib.util

from allauth.account.models import EmailAddress
from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from portal.accounts.models import Customer, User
from portal.accounts.services import customer_create

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "Demo-Passwort-2026"  # noqa: S105 (a demo login, printed on purpose)
STAFF_EMAIL = "staff@example.com"
STAFF_PASSWORD = "Staff-Passwort-2026"  # noqa: S105


def _verified_user(*, email: str, password: str, **flags) -> User:
    user, created = User.objects.get_or_create(email=email, defaults=flags)
    if created:
        user.set_password(password)
        user.save()
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


class Command(BaseCommand):
    help = "Creates the demo customer, a staff user and each app's demo data (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        demo = _verified_user(
            email=DEMO_EMAIL, password=DEMO_PASSWORD, first_name="Demo", last_name="Kunde"
        )
        customer = Customer.objects.filter(owner=demo).first() or customer_create(
            owner=demo, name="Demo Kunde AG"
        )
        _verified_user(
            email=STAFF_EMAIL,
            password=STAFF_PASSWORD,
            is_staff=True,
            is_superuser=True,
            first_name="Support",
        )
        for config in apps.get_app_configs():
            module_name = f"{config.name}.demo"
            if config.name.startswith("django") or importlib.util.find_spec(config.name) is None:
                continue
            if importlib.util.find_spec(module_name) is None:
                continue
            importlib.import_module(module_name).seed(customer=customer, stdout=self.stdout)

        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write(f"  Customer login: {DEMO_EMAIL} / {DEMO_PASSWORD}")
        self.stdout.write(f"  Staff login:    {STAFF_EMAIL} / {STAFF_PASSWORD}  (/admin/)")
