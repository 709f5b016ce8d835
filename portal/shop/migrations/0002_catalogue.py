"""The initial catalogue: the plans of SPEC §4, domain registration and address packs.

Prices are fictional, net of VAT, in CHF per billing period, valid from 1 January 2026.
Later changes are new price rows entered by staff in the admin.
"""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import migrations

START = datetime.datetime(2026, 1, 1, tzinfo=ZoneInfo("Europe/Zurich"))

# code, kind, name, plan, pack size, billing period, net price, order
CATALOGUE = [
    ("my-ksuite", "plan", "my kSuite", "my_ksuite", None, "year", "0.00", 10),
    ("my-ksuite-plus", "plan", "my kSuite+", "my_ksuite_plus", None, "year", "19.00", 20),
    ("ksuite-standard", "plan", "kSuite Standard", "ksuite_standard", None, "year", "60.00", 30),
    ("ksuite-pro", "plan", "kSuite Pro", "ksuite_pro", None, "month", "15.00", 40),
    ("ksuite-enterprise", "plan", "kSuite Enterprise", "ksuite_enterprise", None, "month", "39.00", 50),
    ("service-mail-starter", "plan", "Service Mail Starter", "service_mail_starter", None, "year", "18.00", 60),
    ("service-mail", "plan", "Service Mail", "service_mail", None, "year", "54.00", 70),
    ("domain-registration", "domain", "Domainregistrierung", "", None, "year", "15.00", 80),
    ("addresses-1", "address_pack", "1 Adresse", "", 1, "year", "4.00", 90),
    ("addresses-5", "address_pack", "5 Adressen", "", 5, "year", "18.00", 91),
    ("addresses-25", "address_pack", "25 Adressen", "", 25, "year", "80.00", 92),
]


def load(apps, schema_editor):
    Product = apps.get_model("shop", "Product")
    Price = apps.get_model("shop", "Price")
    for code, kind, name, plan, pack, period, amount, order in CATALOGUE:
        product, _created = Product.objects.get_or_create(
            code=code,
            defaults={
                "kind": kind,
                "name": name,
                "plan": plan,
                "pack_size": pack,
                "billing_period": period,
                "vat_rate": Decimal("8.10"),
                "sort_order": order,
            },
        )
        Price.objects.get_or_create(
            product=product, valid_from=START, defaults={"amount": Decimal(amount)}
        )


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
