"""End to end: app passwords against the real Dovecot and Postfix (issue 19 item 1).

App passwords are made through the portal's services; the real IMAP server and SMTP
submission (Postfix asking Dovecot over SASL) accept or refuse them; Dovecot's auth policy
reports each login to the portal (a gunicorn on the test database), whose page then shows
when and from which IP an app password was last used. Skipped on SQLite like the other
mail-stack tests, failing under CI=true on PostgreSQL if the stack cannot run.
"""

import imaplib
import smtplib
import uuid
from dataclasses import dataclass

import pytest

from tests.mailstack.conftest import wait_for
from tests.mailstack.harness import INTERNET

pytestmark = [pytest.mark.mailstack, pytest.mark.xdist_group("mailstack")]

DOMAIN = "app-passwort.ch"
PASSWORD = "Gipfel-Huette-Seil-2026"


@dataclass
class World:
    owner: object
    customer: object
    addresses: dict


@pytest.fixture(scope="module")
def app_world(mail_stack, django_db_blocker):
    from mailservices.services import domain_create, mailservice_create
    from mailservices.services.addresses import address_create
    from portal.accounts.models import User
    from portal.accounts.services import customer_create

    with django_db_blocker.unblock():
        owner = User.objects.create_user(email=f"apppw-{uuid.uuid4().hex[:8]}@example.org")
        customer = customer_create(owner=owner)
        service = mailservice_create(
            domain=domain_create(customer=customer, name=DOMAIN), plan="service_mail"
        )
        addresses = {
            name: address_create(service=service, local_part=name, password=PASSWORD)
            for name in ("anna", "beat", "chris", "dora", "emil")
        }
        yield World(owner=owner, customer=customer, addresses=addresses)
        from tests.mailstack.test_stack_e2e import _delete_customer

        _delete_customer(customer)


@pytest.fixture
def committed(django_db_blocker):
    with django_db_blocker.unblock():
        yield


def create(address, name, protocols=("imap", "smtp", "dav"), password=""):
    from mailservices.apppasswords.services import app_password_create

    return app_password_create(
        address=address, name=name, protocols=list(protocols), password=password
    )


def imap_ok(stack, user, password, *, source=INTERNET) -> bool:
    try:
        stack.imap(user, password, source=source).logout()
    except imaplib.IMAP4.error:
        return False
    return True


def smtp_ok(stack, user, password, *, source=INTERNET) -> bool:
    with smtplib.SMTP_SSL(
        "127.0.0.1",
        stack.ports.submission,
        context=stack.tls_context(),
        timeout=15,
        source_address=(source, 0),
    ) as client:
        try:
            client.login(user, password)
        except smtplib.SMTPAuthenticationError:
            return False
        return True


def test_the_stack_reads_the_app_password_view(db, mail_stack):
    # Also makes pytest-django create the test database for a run of this module alone.
    from django.db import connection

    assert "mailstack_app_passdb" in connection.introspection.table_names(include_views=True)
    conf = (mail_stack.base / "conf" / "dovecot" / "portal.conf").read_text()
    assert "dovecot-sql-app.conf.ext" in conf and "auth_cache_size = 0" in conf


def test_imap_and_smtp_submission_accept_an_app_password(mail_stack, app_world, committed):
    created = create(app_world.addresses["anna"], "iPhone Anna")
    user = f"anna@{DOMAIN}"
    assert imap_ok(mail_stack, user, created.password)
    assert smtp_ok(mail_stack, user, created.password)
    # The mail password keeps working beside it; a wrong one does not.
    assert imap_ok(mail_stack, user, PASSWORD)
    assert smtp_ok(mail_stack, user, PASSWORD)
    assert not imap_ok(mail_stack, user, created.password[:-1] + "x")
    # Sending with it works end to end (the sender check knows the login).
    with smtplib.SMTP_SSL(
        "127.0.0.1", mail_stack.ports.submission, context=mail_stack.tls_context(), timeout=15
    ) as client:
        client.login(user, created.password)
        client.sendmail(user, [f"beat@{DOMAIN}"], b"Subject: per App-Passwort\r\n\r\nHallo\r\n")


def test_an_app_password_of_another_address_does_not_log_in(mail_stack, app_world, committed):
    created = create(app_world.addresses["beat"], "Laptop Beat")
    assert imap_ok(mail_stack, f"beat@{DOMAIN}", created.password)
    assert not imap_ok(mail_stack, f"anna@{DOMAIN}", created.password)
    assert not smtp_ok(mail_stack, f"anna@{DOMAIN}", created.password)


def test_a_revoked_app_password_fails_at_once(mail_stack, app_world, committed):
    from mailservices.apppasswords.services import app_password_revoke

    created = create(app_world.addresses["beat"], "Altes Telefon")
    user = f"beat@{DOMAIN}"
    assert imap_ok(mail_stack, user, created.password)
    assert smtp_ok(mail_stack, user, created.password)
    app_password_revoke(app_password=created.app_password)
    assert not imap_ok(mail_stack, user, created.password)
    assert not smtp_ok(mail_stack, user, created.password)


def test_a_protocol_limited_app_password_fails_on_the_other_protocol(
    mail_stack, app_world, committed
):
    address = app_world.addresses["chris"]
    user = f"chris@{DOMAIN}"
    imap_only = create(address, "Nur Abruf", protocols=("imap",))
    smtp_only = create(address, "Scanner", protocols=("smtp",))
    dav_only = create(address, "Kalender", protocols=("dav",))
    assert imap_ok(mail_stack, user, imap_only.password)
    assert not smtp_ok(mail_stack, user, imap_only.password)
    assert smtp_ok(mail_stack, user, smtp_only.password)
    assert not imap_ok(mail_stack, user, smtp_only.password)
    assert not imap_ok(mail_stack, user, dav_only.password)
    assert not smtp_ok(mail_stack, user, dav_only.password)


def test_only_app_passwords_refuses_the_mail_password(mail_stack, app_world, committed):
    from mailservices.apppasswords.services import app_passwords_only_set
    from mailservices.mailboxes.app_settings import app_settings as mailboxes_settings

    address = app_world.addresses["dora"]
    user = f"dora@{DOMAIN}"
    created = create(address, "Thunderbird Büro")
    app_passwords_only_set(address=address, enabled=True)
    try:
        assert not imap_ok(mail_stack, user, PASSWORD)
        assert not smtp_ok(mail_stack, user, PASSWORD)
        assert imap_ok(mail_stack, user, created.password)
        assert smtp_ok(mail_stack, user, created.password)
        # The mail import's master-user login still finds the address (no password needed).
        master = mailboxes_settings.MASTER_USER
        assert imap_ok(mail_stack, f"{user}*{master}", mailboxes_settings.MASTER_PASSWORD)
        assert not imap_ok(mail_stack, f"{user}*{master}", "falsches-Master-Passwort")
    finally:
        app_passwords_only_set(address=address, enabled=False)
    assert imap_ok(mail_stack, user, PASSWORD)


def test_doveadm_auth_test_sees_the_service_limit(mail_stack, app_world, committed):
    """The check the README gives for production: `doveadm auth test -x service=...`."""
    import subprocess

    created = create(app_world.addresses["chris"], "Nur Versand", protocols=("smtp",))

    def auth_test(service):
        return subprocess.run(
            ["doveadm", "-c", str(mail_stack.dovecot_conf), "auth", "test", "-x",
             f"service={service}", f"chris@{DOMAIN}", created.password],
            capture_output=True, text=True, timeout=30,
        )  # fmt: skip

    ok, refused = auth_test("smtp"), auth_test("imap")
    assert ok.returncode == 0 and "succeeded" in ok.stdout, ok.stdout + ok.stderr
    assert refused.returncode != 0 and "failed" in refused.stdout, refused.stdout


def test_a_typed_app_password_with_quote_and_backslash_works(mail_stack, app_world, committed):
    # The lookup key is computed by Dovecot from the SQL-escaped password: a quote and a
    # backslash prove the portal computes the same key.
    typed = "Berg'see\\Wanderweg 7%s"
    created = create(app_world.addresses["emil"], "Eigenes", password=typed)
    assert created.app_password.generated is False
    assert imap_ok(mail_stack, f"emil@{DOMAIN}", typed)
    assert smtp_ok(mail_stack, f"emil@{DOMAIN}", typed)


def test_last_use_time_and_ip_appear_in_the_portal(mail_stack, app_world, committed):
    from django.test import Client
    from django.urls import reverse

    from mailservices.apppasswords.models import AppPassword

    require_portal(mail_stack)
    address = app_world.addresses["anna"]
    imap_device = create(address, "Tablet Küche", protocols=("imap",))
    smtp_device = create(address, "Drucker", protocols=("smtp",))
    assert imap_ok(mail_stack, f"anna@{DOMAIN}", imap_device.password, source=INTERNET)
    assert smtp_ok(mail_stack, f"anna@{DOMAIN}", smtp_device.password, source="127.0.0.3")

    def used(pk):
        row = AppPassword.objects.get(pk=pk)
        return row if row.last_used_at else None

    imap_row = wait_for(
        lambda: used(imap_device.app_password.pk), what="the IMAP login's report", stack=mail_stack
    )
    smtp_row = wait_for(
        lambda: used(smtp_device.app_password.pk), what="the SMTP login's report", stack=mail_stack
    )
    assert (imap_row.last_used_ip, imap_row.last_used_service) == (INTERNET, "imap")
    assert (smtp_row.last_used_ip, smtp_row.last_used_service) == ("127.0.0.3", "smtp")
    # A failed login with it reports nothing new.
    before = imap_row.last_used_at
    assert not imap_ok(mail_stack, f"anna@{DOMAIN}", imap_device.password + "x")
    client = Client()
    client.force_login(app_world.owner)
    page = client.get(reverse("apppasswords:address_app_passwords", args=[address.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Tablet Küche" in html and f"von {INTERNET}" in html and "von 127.0.0.3" in html
    assert AppPassword.objects.get(pk=imap_row.pk).last_used_at == before


def require_portal(stack):
    from tests.conftest import require_service

    require_service("the portal (gunicorn) for Dovecot's auth reports", stack.portal is not None)
