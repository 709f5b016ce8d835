"""Fixtures shared by the whole suite.

Conventions:
- `require_service(name, ok)`: a test that needs an outside service (PostgreSQL, Redis,
  chromium, postfix, nsd...) calls this. Missing service: skip locally, *fail* under CI=true.
- Customers are made with `make_customer()`; `customer`/`other_customer` are two tenants.
- Mail services with `make_service()` and addresses with `make_address()`, through the
  services the shop and the customer's pages call; one fixture each for every app's tests.
"""

import itertools
import os
import shutil
import time
import uuid

import pytest
from allauth.account.models import EmailAddress
from django.utils import translation

from portal.accounts.models import User
from portal.accounts.services import customer_create

IN_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "Sehr-sicheres-Passwort-42"  # noqa: S105


def pytest_collection_modifyitems(config, items):
    """Browser tests run last: Playwright's sync API keeps an asyncio loop running on the
    worker's thread until the session ends, which breaks any later `asyncio.run()`."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


def require_service(name: str, available: bool) -> None:
    """Skips a test whose service is missing, except under CI=true, where it fails."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{name} is required under CI=true but is not available")
    pytest.skip(f"{name} is not available")


@pytest.fixture(scope="session", autouse=True)
def _private_redis(tmp_path_factory):
    """With REDIS_URL set, the whole run uses a redis-server of its own instead: the cache,
    Celery, the sending counters and every daemon a test starts (they inherit REDIS_URL).
    A test run changes nothing in the Redis a demo or a real set-up uses."""
    from django.conf import settings
    from django.core.signals import setting_changed

    if not settings.REDIS_URL:
        yield None
        return
    from tests.redis_server import RedisServer

    require_service("redis-server", shutil.which("redis-server") is not None)
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    previous = os.environ.get("REDIS_URL")
    os.environ["REDIS_URL"] = server.url
    settings.REDIS_URL = server.url
    for config in settings.CACHES.values():
        if "redis" in config["BACKEND"].lower():
            config["LOCATION"] = server.url
    setting_changed.send(sender=None, setting="CACHES", value=settings.CACHES, enter=True)
    settings.CELERY_BROKER_URL = settings.CELERY_RESULT_BACKEND = server.url
    from portal.celery import app

    app.conf.broker_url = app.conf.result_backend = server.url
    yield server
    server.stop()
    if previous is not None:
        os.environ["REDIS_URL"] = previous


@pytest.fixture(autouse=True)
def _isolated_cache(settings):
    """Each test gets its own cache key space: with REDIS_URL the cache is a shared Redis,
    and state such as allauth's rate limits must not leak between tests, workers or runs."""
    caches = {}
    for alias, config in settings.CACHES.items():
        caches[alias] = {**config, "KEY_PREFIX": f"t{uuid.uuid4().hex}"}
    settings.CACHES = caches


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in German: Django keeps the language a request activated on the
    thread, so an English page in one test would otherwise leak into the next."""
    translation.activate("de")
    yield
    translation.deactivate()


_emails = itertools.count(1)


@pytest.fixture
def make_user(db):
    def make(email: str | None = None, password: str = PASSWORD, verified: bool = True, **kw):
        email = email or f"kunde{next(_emails)}@example.org"
        user = User.objects.create_user(email=email, password=password, **kw)
        EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
        return user

    return make


@pytest.fixture
def make_customer(make_user):
    def make(email: str | None = None, **kw):
        return customer_create(owner=make_user(email, **kw))

    return make


@pytest.fixture
def customer(make_customer):
    return make_customer("anna@example.org")


@pytest.fixture
def other_customer(make_customer):
    return make_customer("bruno@example.org")


_domains = itertools.count(1)


@pytest.fixture
def make_service(db, request):
    """`make_service(customer=None, name=None, plan="service_mail", quota=None, *, source=,
    status=)`: a domain and its mail service, made by the services. Without a customer the
    `customer` fixture's; without a name a fresh `firmaN.ch`."""
    from mailservices.services import domain_create, mailservice_create

    def make(customer=None, name=None, plan="service_mail", quota=None, *, source="external",
             **fields):  # fmt: skip
        domain = domain_create(
            customer=customer or request.getfixturevalue("customer"),
            name=name or f"firma{next(_domains)}.ch",
            source=source,
        )
        return mailservice_create(domain=domain, plan=plan, address_quota=quota, **fields)

    return make


@pytest.fixture
def make_address(db):
    """`make_address(service, local_part="anna", **fields)`: an address made by
    `address_create` (within the service's quota, like the customer's form)."""
    from mailservices.services.addresses import address_create

    def make(service, local_part="anna", **fields):
        return address_create(service=service, local_part=local_part, **fields)

    return make


@pytest.fixture
def customer_client(client, customer):
    """A test client logged in as the owner of `customer`."""
    client.force_login(customer.owner)
    return client


# Staff need a second factor for /admin/ (portal.security): the fixture's TOTP secret.
STAFF_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105


@pytest.fixture
def staff_user(make_user):
    from allauth.mfa.totp.internal.auth import TOTP

    user = make_user("support@example.org", is_staff=True, is_superuser=True)
    TOTP.activate(user, STAFF_TOTP_SECRET)
    return user


def passed_second_factor(client, user):
    """Marks the client's session as allauth does after a TOTP step at login."""
    session = client.session
    record = {"method": "mfa", "at": time.time(), "type": "totp"}
    session["account_authentication_methods"] = [record]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    passed_second_factor(client, staff_user)
    return client


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by Playwright (no browser download)."""
    require_service("chromium", shutil.which(CHROMIUM) is not None or os.path.exists(CHROMIUM))
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="de-CH", base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    # Every browser test also checks the Content-Security-Policy: no page may violate it.
    csp_violations = []
    page.on(
        "console",
        lambda msg: "Content Security Policy" in msg.text and csp_violations.append(msg.text),
    )
    yield page
    context.close()
    assert not csp_violations, csp_violations
