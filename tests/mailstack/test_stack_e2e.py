"""End to end: a real Postfix and Dovecot read the portal's database (issue 9).

Domains, addresses, catch-all, passwords and responders are made through the portal's own
services; mail goes in over SMTP (port 25, or 465 with TLS and login) and comes back out
over IMAP with the password the portal set. Mail to the outside world (forwards, responder
replies) lands in the harness's SMTP sink.
"""

import imaplib
import smtplib
import ssl
import uuid
from dataclasses import dataclass
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from django.utils import timezone

from tests.mailstack.conftest import wait_for
from tests.mailstack.harness import INTERNET

pytestmark = [pytest.mark.mailstack, pytest.mark.xdist_group("mailstack")]

DOMAIN = "alpen-stack.ch"
NO_CATCHALL = "ohne-stack.ch"
PASSWORD = "Firn-Grat-Stollen-2026"


@dataclass
class World:
    service: object
    no_catchall: object
    addresses: dict


@pytest.fixture(scope="module")
def stack_world(mail_stack, django_db_blocker):
    """Committed portal data the daemons can see; removed again after the module."""
    from mailservices.services import domain_create, mailservice_create
    from mailservices.services.addresses import address_create, catchall_create, responder_save
    from portal.accounts.models import User
    from portal.accounts.services import customer_create

    with django_db_blocker.unblock():
        owner = User.objects.create_user(email=f"stack-{uuid.uuid4().hex[:8]}@example.org")
        customer = customer_create(owner=owner)
        service = mailservice_create(
            domain=domain_create(customer=customer, name=DOMAIN),
            plan="service_mail",
            address_quota=30,
        )
        no_catchall = mailservice_create(
            domain=domain_create(customer=customer, name=NO_CATCHALL), plan="service_mail"
        )
        addresses = {
            name: address_create(service=service, local_part=name, password=PASSWORD)
            for name in ("anna", "jonnie.smith", "bob", "alt", "sandra", "spam.test", "vreni")
        }
        addresses["hallo"] = address_create(
            service=no_catchall, local_part="hallo", password=PASSWORD
        )
        addresses["catchall"] = catchall_create(service=service, confirmed=True, password=PASSWORD)
        now = timezone.now()
        for name in ("anna", "catchall"):
            responder_save(
                address=addresses[name],
                enabled=True,
                subject=f"Abwesend: {name}",
                body="Ich bin bis Ende Monat abwesend (100 % sicher).\nGruss",
                starts_at=now - timedelta(days=1),
                ends_at=now + timedelta(days=10),
                interval_days=7,
            )
        yield World(service=service, no_catchall=no_catchall, addresses=addresses)
        _delete_customer(customer)


@pytest.fixture
def committed(django_db_blocker):
    """Portal writes inside a test, committed at once (the daemons read them)."""
    with django_db_blocker.unblock():
        yield


def _message(sender: str, to: str, subject: str, extra: dict | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = f"<{uuid.uuid4().hex}@outside.test>"
    for name, value in (extra or {}).items():
        msg[name] = value
    msg.set_content("Guten Tag\n\nEine Nachricht fuer den Test.\n")
    return msg


def send(stack, sender: str, recipient: str, subject: str, **extra) -> None:
    """Delivers like a mail server from the internet would (port 25, no login)."""
    with smtplib.SMTP(
        "127.0.0.1", stack.ports.smtp, timeout=15, source_address=(INTERNET, 0)
    ) as client:
        client.sendmail(sender, [recipient], _message(sender, recipient, subject, extra).as_bytes())


def rcpt(stack, recipient: str, sender: str = "someone@outside.test") -> tuple[int, str]:
    with smtplib.SMTP(
        "127.0.0.1", stack.ports.smtp, timeout=15, source_address=(INTERNET, 0)
    ) as client:
        client.ehlo("outside.test")
        client.mail(sender)
        code, text = client.rcpt(recipient)
        return code, text.decode()


def fetch(stack, user: str, subject: str, folder: str = "INBOX"):
    """The message with `subject` in the user's folder, or None."""
    client = stack.imap(user, PASSWORD)
    try:
        typ, _ = client.select(f'"{folder}"', readonly=True)
        if typ != "OK":
            return None
        typ, data = client.search(None, "SUBJECT", f'"{subject}"')
        ids = data[0].split()
        if not ids:
            return None
        typ, parts = client.fetch(ids[-1], "(RFC822)")
        return message_from_bytes(parts[0][1], policy=policy.default)
    finally:
        client.logout()


def wait_fetch(stack, user, subject, folder="INBOX"):
    return wait_for(
        lambda: fetch(stack, user, subject, folder), what=f"{subject} in {user}", stack=stack
    )


def replies_to(stack, recipient: str) -> list:
    with stack.sink.lock:
        return [msg for _, rcpts, msg in stack.sink.messages if recipient in rcpts]


def token(label: str) -> str:
    return f"{label}-{uuid.uuid4().hex[:10]}"


def test_the_stack_reads_the_test_database(db, mail_stack):
    # Also makes pytest-django create the test database for a run of this module alone:
    # the other tests here commit through `django_db_blocker` instead of the `db` fixture.
    from django.db import connection

    from mailservices.mailstack.management.commands.mailstack_config import VIEWS

    assert mail_stack.database.name == connection.settings_dict["NAME"]
    assert set(VIEWS) <= set(connection.introspection.table_names(include_views=True))


def test_delivery_lands_in_the_mailbox_and_is_read_over_imap(mail_stack, stack_world):
    subject = token("Zustellung")
    send(mail_stack, "kunde@outside.test", f"jonnie.smith@{DOMAIN}", subject)
    msg = wait_fetch(mail_stack, f"jonnie.smith@{DOMAIN}", subject)
    assert msg["X-Original-To"] == f"jonnie.smith@{DOMAIN}"
    # The service's external-email warning is on by default.
    assert msg["X-External-Sender"] == "yes"
    assert msg["Subject"].startswith("[EXTERN] ")


def test_sub_address_is_delivered_to_the_user(mail_stack, stack_world):
    subject = token("Plus")
    send(mail_stack, "shop@outside.test", f"Jonnie.Smith+Shop@{DOMAIN}", subject)
    wait_fetch(mail_stack, f"jonnie.smith@{DOMAIN}", subject)


def test_misspelled_address_lands_in_the_catchall(mail_stack, stack_world):
    subject = token("Vertippt")
    send(mail_stack, "kunde@outside.test", f"smith.johnny@{DOMAIN}", subject)
    msg = wait_fetch(mail_stack, f"catchall@{DOMAIN}", subject)
    assert msg["X-Original-To"] == f"smith.johnny@{DOMAIN}"


def test_without_catchall_an_unknown_address_is_refused_at_rcpt(mail_stack, stack_world):
    code, text = rcpt(mail_stack, f"wer@{NO_CATCHALL}")
    assert code == 550 and text.startswith("5.1.1"), text
    assert rcpt(mail_stack, f"hallo@{NO_CATCHALL}")[0] == 250


def test_unknown_domain_is_not_relayed(mail_stack, stack_world):
    code, text = rcpt(mail_stack, "anna@anderswo.example")
    assert code == 554 and "Relay access denied" in text


def test_wrong_password_fails_the_imap_login(mail_stack, stack_world):
    with pytest.raises(imaplib.IMAP4.error):
        mail_stack.imap(f"anna@{DOMAIN}", PASSWORD + "x", source=INTERNET)
    mail_stack.imap(f"anna@{DOMAIN}", PASSWORD).logout()


def test_password_changed_in_the_portal_works_at_once(mail_stack, stack_world, committed):
    from mailservices.services.addresses import address_set_password

    bob = stack_world.addresses["bob"]
    new_password = "Neues-Berg-Passwort-77"
    address_set_password(address=bob, password=new_password)
    try:
        mail_stack.imap(f"bob@{DOMAIN}", new_password).logout()
        with pytest.raises(imaplib.IMAP4.error):
            mail_stack.imap(f"bob@{DOMAIN}", PASSWORD, source=INTERNET)
    finally:
        address_set_password(address=bob, password=PASSWORD)


def test_disabled_address_refuses_mail_and_login(mail_stack, stack_world, committed):
    from mailservices.services.addresses import address_set_enabled

    alt = stack_world.addresses["alt"]
    assert rcpt(mail_stack, f"alt@{DOMAIN}")[0] == 250
    address_set_enabled(address=alt, enabled=False)
    try:
        code, text = rcpt(mail_stack, f"alt@{DOMAIN}")
        assert code == 550 and text.startswith("5.2.1"), text
        # Not handed to the catch-all either, also with a tag.
        assert rcpt(mail_stack, f"alt+x@{DOMAIN}")[0] == 550
        with pytest.raises(imaplib.IMAP4.error):
            mail_stack.imap(f"alt@{DOMAIN}", PASSWORD, source=INTERNET)
    finally:
        address_set_enabled(address=alt, enabled=True)


def test_responder_answers_a_normal_sender_once(mail_stack, stack_world):
    sender = f"{token('freund')}@outside.test"
    first, second = token("Erste"), token("Zweite")
    send(mail_stack, sender, f"anna@{DOMAIN}", first)
    (reply,) = wait_for(
        lambda: replies_to(mail_stack, sender), what="the responder's reply", stack=mail_stack
    )
    assert reply["Subject"] == "Abwesend: anna"
    assert reply["Auto-Submitted"].startswith("auto-replied")
    assert "100 % sicher" in reply.get_content()
    send(mail_stack, sender, f"anna@{DOMAIN}", second)
    wait_fetch(mail_stack, f"anna@{DOMAIN}", second)
    mail_stack.flush()
    wait_for(mail_stack.queue_is_empty, what="an empty queue")
    assert len(replies_to(mail_stack, sender)) == 1


def test_catchall_responder_never_answers_mail_caught_for_a_missing_address(
    mail_stack, stack_world
):
    caught_sender = f"{token('spammer')}@outside.test"
    direct_sender = f"{token('partner')}@outside.test"
    caught, direct = token("Gefangen"), token("Direkt")
    send(mail_stack, caught_sender, f"gibtsnicht@{DOMAIN}", caught)
    wait_fetch(mail_stack, f"catchall@{DOMAIN}", caught)
    # Also when the sender puts catchall@ into the To: header himself.
    with smtplib.SMTP(
        "127.0.0.1", mail_stack.ports.smtp, timeout=15, source_address=(INTERNET, 0)
    ) as client:
        msg = _message(caught_sender, f"catchall@{DOMAIN}", caught + "-header")
        client.sendmail(caught_sender, [f"niemand@{DOMAIN}"], msg.as_bytes())
    wait_fetch(mail_stack, f"catchall@{DOMAIN}", caught + "-header")
    # Mail written to catchall@ itself is answered; once it is, the earlier (caught) ones
    # were long processed.
    send(mail_stack, direct_sender, f"catchall@{DOMAIN}", direct)
    wait_for(
        lambda: replies_to(mail_stack, direct_sender),
        what="the catch-all's reply",
        stack=mail_stack,
    )
    mail_stack.flush()
    wait_for(mail_stack.queue_is_empty, what="an empty queue")
    assert replies_to(mail_stack, caught_sender) == []


def test_spam_filter_and_external_warning_follow_the_portal_switches(
    mail_stack, stack_world, committed
):
    from mailservices.services import mailservice_update_settings

    user = f"spam.test@{DOMAIN}"
    flagged = token("Spam")
    send(mail_stack, "werbung@outside.test", user, flagged, **{"X-Spam-Flag": "YES"})
    wait_fetch(mail_stack, user, flagged, folder="Junk")
    internal = token("Intern")
    # Internal mail (same domain, sent by a logged-in user) carries no warning.
    with smtplib.SMTP_SSL(
        "127.0.0.1", mail_stack.ports.submission, context=mail_stack.tls_context(), timeout=15
    ) as client:
        client.login(f"vreni@{DOMAIN}", PASSWORD)
        client.send_message(_message(f"vreni@{DOMAIN}", user, internal))
    msg = wait_fetch(mail_stack, user, internal)
    assert msg["X-External-Sender"] is None and msg["Subject"] == internal

    service = stack_world.service
    mailservice_update_settings(
        service=service, spam_filter_enabled=False, external_warning_enabled=False
    )
    try:
        unfiltered = token("Ungefiltert")
        send(mail_stack, "werbung@outside.test", user, unfiltered, **{"X-Spam-Flag": "YES"})
        msg = wait_fetch(mail_stack, user, unfiltered, folder="INBOX")
        assert msg["X-External-Sender"] is None and msg["Subject"] == unfiltered
        # A sender cannot fake the warning header.
        forged = token("Gefaelscht")
        send(mail_stack, "x@outside.test", user, forged, **{"X-External-Sender": "no"})
        assert wait_fetch(mail_stack, user, forged)["X-External-Sender"] is None
    finally:
        mailservice_update_settings(
            service=service, spam_filter_enabled=True, external_warning_enabled=True
        )


def test_nobody_sends_as_our_address_without_login(mail_stack, stack_world):
    with smtplib.SMTP(
        "127.0.0.1", mail_stack.ports.smtp, timeout=15, source_address=(INTERNET, 0)
    ) as client:
        client.ehlo("outside.test")
        client.mail(f"anna@{DOMAIN}")
        code, text = client.rcpt(f"jonnie.smith@{DOMAIN}")
    assert code == 553, text


def test_submission_needs_login_and_the_own_sender(mail_stack, stack_world):
    context = mail_stack.tls_context()
    with (
        # The failing login comes from another address: Dovecot slows down the next logins
        # from an address that just failed.
        smtplib.SMTP_SSL(
            "127.0.0.1",
            mail_stack.ports.submission,
            context=context,
            timeout=15,
            source_address=(INTERNET, 0),
        ) as client,
        pytest.raises(smtplib.SMTPAuthenticationError),
    ):
        client.login(f"sandra@{DOMAIN}", "falsch-falsch-falsch")
    with smtplib.SMTP_SSL(
        "127.0.0.1", mail_stack.ports.submission, context=context, timeout=15
    ) as client:
        client.login(f"sandra@{DOMAIN}", PASSWORD)
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            client.sendmail(f"anna@{DOMAIN}", ["a@outside.test"], b"Subject: x\r\n\r\nx\r\n")
    with pytest.raises(ssl.SSLError):  # implicit TLS only: a plain client gets nowhere
        smtplib.SMTP_SSL(
            "127.0.0.1",
            mail_stack.ports.submission,
            context=ssl.create_default_context(),  # does not trust the test certificate
            timeout=15,
        )


def test_authenticated_submission_on_465_is_counted_by_the_policy_service(
    mail_stack, stack_world, committed
):
    from tests.conftest import require_service

    require_service(
        "the sending-limits policy service (quotas policyd + Redis)", bool(mail_stack.policyd)
    )
    from quotas import counters

    sender = f"sandra@{DOMAIN}"
    cid = counters.counter_id(channel="smtp", sender=sender)
    store = counters.SendingCounters.from_settings()
    before = store.usage_many([cid], now=timezone.now())[cid].used
    recipients = [f"r{i}-{uuid.uuid4().hex[:6]}@outside.test" for i in range(3)]
    subject = token("Versand")
    with smtplib.SMTP_SSL(
        "127.0.0.1", mail_stack.ports.submission, context=mail_stack.tls_context(), timeout=15
    ) as client:
        client.login(sender, PASSWORD)
        client.send_message(_message(sender, ", ".join(recipients), subject))
    wait_for(lambda: all(replies_to(mail_stack, r) for r in recipients), what="relayed mail")
    after = store.usage_many([cid], now=timezone.now())[cid].used
    assert after - before == 3  # each recipient counts (SPEC section 4)


def test_real_postfix_accepts_and_refuses_like_the_routing_function(
    mail_stack, stack_world, django_db_blocker
):
    """Every routing case at RCPT time against the real Postfix (accept vs. refuse)."""
    from portal.accounts.models import User
    from portal.accounts.services import customer_create
    from tests.mailservices.routing_cases import CASES, build_world
    from tests.mailstack.stack_model import envelope_recipient

    with django_db_blocker.unblock():
        owner = User.objects.create_user(email=f"routing-{uuid.uuid4().hex[:8]}@example.org")
        customer = customer_create(owner=owner)
        try:
            build_world(customer)
            wrong = []
            for case in CASES:
                raw = case.recipient.strip()
                if raw.startswith("<") and raw.endswith(">"):
                    raw = raw[1:-1]
                if not raw.isascii():  # the sending MTA converts IDNs (no SMTPUTF8 here)
                    raw = envelope_recipient(raw) or ""
                # One session per case: smtpd hangs up after too many refusals in one.
                with smtplib.SMTP(
                    "127.0.0.1", mail_stack.ports.smtp, timeout=15, source_address=(INTERNET, 0)
                ) as client:
                    client.ehlo("outside.test")
                    client.mail("someone@outside.test")
                    code, text = client.docmd(f"RCPT TO:<{raw}>")
                accepted = code == 250
                if accepted != (case.action == "deliver") or (not accepted and code < 500):
                    wrong.append((case.id, raw, code, text.decode()))
            assert wrong == []
        finally:
            _delete_customer(customer)


def _delete_customer(customer) -> None:
    from mailservices.models import Domain

    for domain in Domain.objects.filter(customer=customer):
        if hasattr(domain, "mail_service"):
            domain.mail_service.delete()
        domain.delete()
    owner = customer.owner
    customer.delete()
    owner.delete()
