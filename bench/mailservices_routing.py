"""Cost of the two hot paths of mail services, with ratios against a baseline in-process.

1. `route(recipient)`: recipients per second and SQL queries per call over the routing case
   table (tests/mailservices/routing_cases.py), against the baseline of one bare primary-key
   lookup of an Address (the cheapest query a router could make).
2. Mail-password hashing at the production cost (Dovecot's t=3, 64 MiB, p=1) against the
   cheap test cost: the time one "Passwort testen" takes, and what the test settings save.

Runs on a throw-away SQLite database in a temporary directory.
Usage: .venv/bin/python bench/mailservices_routing.py [--rounds 20]
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="bench-routing-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings.test"
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    import django

    django.setup()
    import logging

    logging.disable(logging.INFO)  # the eager Celery tasks of service creation log each run
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)
    from mailservices.models import Address
    from mailservices.passwords import hash_mail_password, verify_mail_password
    from mailservices.routing import route
    from portal.accounts.models import User
    from portal.accounts.services import customer_create
    from tests.mailservices.routing_cases import CASES, NOW, build_world

    owner = User.objects.create_user(email="bench@example.org", password="x")
    build_world(customer_create(owner=owner))
    recipients = [case.recipient for case in CASES]
    pks = list(Address.objects.values_list("pk", flat=True))

    def per_second(fn, items) -> float:
        start = time.perf_counter()
        for _ in range(args.rounds):
            for item in items:
                fn(item)
        return args.rounds * len(items) / (time.perf_counter() - start)

    baseline = per_second(lambda pk: Address.objects.filter(pk=pk).first(), pks)
    routed = per_second(lambda r: route(r, now=NOW), recipients)
    with CaptureQueriesContext(connection) as ctx:
        for recipient in recipients:
            route(recipient, now=NOW)
    print(f"routing cases: {len(recipients)}, rounds: {args.rounds}")
    print(f"baseline (Address by pk): {baseline:10.0f} lookups/s")
    print(f"route(recipient):         {routed:10.0f} recipients/s")
    print(f"ratio route/baseline:     {routed / baseline:10.2f}")
    print(f"SQL queries per route:    {len(ctx.captured_queries) / len(recipients):10.2f}")

    def hash_time(params: dict, n: int) -> tuple[float, float]:
        settings.PORTAL_MAIL_PASSWORD_ARGON2 = params
        hashes, verifies = [], []
        for _ in range(n):
            t0 = time.perf_counter()
            stored = hash_mail_password("Bench-Passwort-2026")
            t1 = time.perf_counter()
            assert verify_mail_password("Bench-Passwort-2026", stored)
            t2 = time.perf_counter()
            hashes.append(t1 - t0)
            verifies.append(t2 - t1)
        return statistics.median(hashes), statistics.median(verifies)

    production = {"time_cost": 3, "memory_cost": 65536, "parallelism": 1}
    test = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
    ph, pv = hash_time(production, 5)
    th, tv = hash_time(test, 50)
    for label, prod, cheap in (("hash  ", ph, th), ("verify", pv, tv)):
        print(
            f"{label} production: {prod * 1000:8.1f} ms   test: {cheap * 1000:6.2f} ms"
            f"   ratio {prod / cheap:6.0f}x"
        )


if __name__ == "__main__":
    main()
