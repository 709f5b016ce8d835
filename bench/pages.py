"""Customer pages and admin lists at a provider's scale, under gunicorn (issue 17, item 8).

Fills a PostgreSQL database with `manage.py seed_scale` (default 100,000 customers and
1,000,000 addresses; kept between runs, `--reseed` starts over), starts gunicorn on it, and
lets `--users` closed-loop clients (threads with keep-alive connections, no think time) fetch
each page for `--seconds` (live counters and the cache in a redis-server of the bench's own).
Prints p50/p95 per page, and the SQL queries of each page for the biggest customer (a service
with 500 addresses) and for a small one: equal counts mean the query count does not grow with
the data. Targets: customer pages p95 < 100 ms, admin lists and
searches p95 < 300 ms.

Usage: .venv/bin/python bench/pages.py [--customers 100000 --addresses 1000000]
       [--database-url postgres://postgres@127.0.0.1:5432/bench_pages] [--users 10]
"""

import argparse
import http.client
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.ports import free_port  # noqa: E402


def ensure_database(url: str, reseed: bool) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = psycopg.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username,
        dbname="postgres",
        autocommit=True,
    )
    exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    if exists and reseed:
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        exists = None
    if not exists:
        admin.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def start_redis(workdir: str) -> tuple[subprocess.Popen, str]:
    """A redis-server of the bench's own for the live sending counters and the cache."""
    port = free_port()
    proc = subprocess.Popen(
        ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", ""]
        + ["--appendonly", "no", "--dir", workdir],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, f"redis://127.0.0.1:{port}/0"
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("redis-server did not start")


def setup_django(url: str, redis_url: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings.dev"
    os.environ["DATABASE_URL"] = url
    os.environ["DEBUG"] = "false"
    os.environ["REDIS_URL"] = redis_url
    import django

    django.setup()


def seed(customers: int, addresses: int) -> None:
    from django.core.management import call_command

    from portal.accounts.models import User

    call_command("migrate", verbosity=0)
    if not User.objects.filter(email="kunde1@scale.example").exists():
        started = time.monotonic()
        call_command("seed_scale", customers=customers, addresses=addresses)
        print(f"seed_scale: {time.monotonic() - started:.0f} s", file=sys.stderr)
    call_command("load_guides", verbosity=0)


def sessions() -> dict[str, str]:
    """Session cookies of the biggest customer, a small one and a staff member with TOTP."""
    from allauth.mfa.totp.internal.auth import TOTP
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from portal.accounts.models import User
    from portal.security.staff import LOGIN_AT_SESSION_KEY

    staff, created = User.objects.get_or_create(
        email="bench-staff@scale.example", defaults={"is_staff": True, "is_superuser": True}
    )
    if created:
        TOTP.activate(staff, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    cookies = {}
    for name, user in (
        ("big", User.objects.get(email="kunde1@scale.example")),
        ("small", User.objects.get(email="kunde2@scale.example")),
        ("staff", staff),
    ):
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store["account_authentication_methods"] = [
            {"method": "mfa", "at": time.time(), "type": "totp"}
        ]
        store["account_authentication_methods_user"] = str(user.pk)
        store[LOGIN_AT_SESSION_KEY] = time.time()  # a fresh staff session
        store.create()
        cookies[name] = f"{settings.SESSION_COOKIE_NAME}={store.session_key}"
    return cookies


def pages() -> list[tuple[str, str, str, str]]:
    """(group, label, session, path) of every page measured."""
    from mailservices.models import Address, MailService
    from portal.shop.models import Order

    big_service = MailService.objects.get(domain__name="firma1.scale.example")
    small_service = MailService.objects.get(domain__name="firma2.scale.example")
    big_address = Address.objects.filter(service=big_service).order_by("pk")[250]
    small_address = Address.objects.filter(service=small_service).order_by("pk").first()
    order = Order.objects.order_by("-pk").first()
    deep = Address.objects.order_by("-pk").first()
    deep_email = f"{deep.local_part}@{deep.service.domain.name}"
    owner = order.customer.owner.email
    return [
        ("customer", "overview", "big", "/"),
        ("customer", "products", "big", "/services/"),
        ("customer", "service (500 addresses)", "big", f"/services/{big_service.pk}/"),
        ("customer", "service (small)", "small", f"/services/{small_service.pk}/"),
        ("customer", "address", "big", f"/addresses/{big_address.pk}/"),
        ("customer", "address (small)", "small", f"/addresses/{small_address.pk}/"),
        ("customer", "usage (address)", "big", f"/usage/addresses/{big_address.pk}/"),
        ("customer", "usage (service, 500)", "big", f"/usage/services/{big_service.pk}/"),
        ("customer", "shop orders", "big", "/shop/orders/"),
        ("customer", "knowledge base", "big", "/kb/"),
        ("admin", "admin addresses", "staff", "/admin/mailservices/address/"),
        (
            "admin",
            "addresses ?q=full address",
            "staff",
            f"/admin/mailservices/address/?q={deep_email}",
        ),
        ("admin", "admin orders", "staff", "/admin/shop/order/"),
        ("admin", "orders ?q=order number", "staff", f"/admin/shop/order/?q={order.number}"),
        ("admin", "admin customers", "staff", "/admin/accounts/customer/"),
        ("admin", "customers ?q=login email", "staff", f"/admin/accounts/customer/?q={owner}"),
    ]


def query_counts(cookies, measured) -> dict[str, int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for _group, label, who, path in measured:
        client = Client(HTTP_HOST="127.0.0.1")
        name, _, value = cookies[who].partition("=")
        client.cookies[name] = value
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"{path}: HTTP {response.status_code}")
        counts[label] = len(ctx.captured_queries)
    return counts


def start_gunicorn(url: str, workers: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {
        **os.environ,  # REDIS_URL: the bench's own redis-server (setup_django)
        "DJANGO_SETTINGS_MODULE": "portal.settings.dev",
        "DATABASE_URL": url,
        "DEBUG": "false",
    }
    proc = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "portal.wsgi", "--bind", f"127.0.0.1:{port}"]
        + ["--workers", str(workers), "--log-level", "warning"],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return proc, port
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("gunicorn did not start")


def load(port: int, cookie: str, path: str, users: int, seconds: float) -> list[float]:
    latencies: list[float] = []
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def user():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            conn.request("GET", path, headers={"Cookie": cookie, "Host": "127.0.0.1"})
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"{path}: HTTP {response.status}")
            mine.append(time.perf_counter() - started)
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=user) for _ in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(latencies)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/bench_pages")
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--addresses", type=int, default=1_000_000)
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()

    ensure_database(args.database_url, args.reseed)
    workdir = tempfile.mkdtemp(prefix="bench-pages-")
    redis_proc, redis_url = start_redis(workdir)
    try:
        setup_django(args.database_url, redis_url)
        seed(args.customers, args.addresses)
        cookies = sessions()
        measured = pages()
        counts = query_counts(cookies, measured)
        proc, port = start_gunicorn(args.database_url, args.workers)
        results = {}
        try:
            for group, label, who, path in measured:
                load(port, cookies[who], path, args.users, 1.0)  # warm every worker
                results[label] = (group, load(port, cookies[who], path, args.users, args.seconds))
        finally:
            proc.terminate()
            proc.wait(20)
    finally:
        redis_proc.terminate()
        redis_proc.wait(10)
        shutil.rmtree(workdir, ignore_errors=True)

    print(
        f"{args.customers:,} customers, {args.addresses:,} addresses; gunicorn {args.workers} "
        f"workers, {args.users} concurrent users, {args.seconds:.0f} s per page"
    )
    print(f"{'page':<28} {'req':>6} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} target")
    met = True
    for label, (group, lat) in results.items():
        p50 = 1000 * lat[len(lat) // 2]
        p95 = 1000 * lat[int(len(lat) * 0.95)]
        target = 100 if group == "customer" else 300
        ok = p95 < target
        met &= ok
        print(
            f"{label:<28} {len(lat):>6} {p50:>8.1f} {p95:>8.1f} {counts[label]:>8} "
            f"p95 < {target} {'met' if ok else 'NOT met'}"
        )
    flat = [
        (big, small)
        for big, small in (
            ("service (500 addresses)", "service (small)"),
            ("address", "address (small)"),
        )
        if counts[big] != counts[small]
    ]
    print(f"query counts flat (big vs small customer): {'yes' if not flat else f'NO {flat}'}")
    print(f"all targets: {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
