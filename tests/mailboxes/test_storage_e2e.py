"""Storage end to end: the real Dovecot of the mail-stack tests enforces the portal's size,
writes usage back into the portal's database (quota_clone), and the portal warns once."""

import smtplib
import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from mailservices.mailboxes.models import MailboxUsage
from mailservices.mailboxes.selectors import MB
from tests.mailboxes.conftest import PASSWORD, wait_for
from tests.mailstack.test_stack_e2e import _delete_customer

pytestmark = [pytest.mark.mailstack, pytest.mark.xdist_group("mailstack")]


@pytest.fixture(scope="module")
def full_world(mail_stack, django_db_blocker):
    from mailservices.mailboxes.services import storage_override_create
    from mailservices.services import domain_create, mailservice_create
    from mailservices.services.addresses import address_create
    from portal.accounts.models import User
    from portal.accounts.services import customer_create

    with django_db_blocker.unblock():
        owner = User.objects.create_user(email=f"voll-{uuid.uuid4().hex[:8]}@example.org")
        staff = User.objects.create_user(
            email=f"staff-{uuid.uuid4().hex[:8]}@example.org", is_staff=True
        )
        customer = customer_create(owner=owner)
        service = mailservice_create(
            domain=domain_create(customer=customer, name=f"voll-{uuid.uuid4().hex[:6]}.ch"),
            plan="service_mail",
        )
        address = address_create(service=service, local_part="anna", password=PASSWORD)
        storage_override_create(
            address=address,
            quota_mb=100,
            reason="Test: kleines Postfach",
            request_reference="T-100",
            approved_by=staff,
            starts_at=timezone.now() - timedelta(minutes=5),
        )
        yield address, owner
        MailboxUsage.objects.filter(username__endswith=service.domain.name).delete()
        _delete_customer(customer)
        staff.delete()


def _message(size: int, n: int) -> bytes:
    line = b"x" * 998 + b"\r\n"
    body = line * (size // len(line))
    return (
        f"From: sender@example.org\r\nTo: anna\r\nSubject: Gross {n}\r\n"
        f"Message-ID: <gross-{n}-{uuid.uuid4().hex}@example.org>\r\n\r\n"
    ).encode() + body


def _lmtp(stack, rcpt: str, data: bytes):
    client = smtplib.LMTP("127.0.0.1", stack.ports.lmtp)
    try:
        client.ehlo("test")
        client.mail("sender@example.org")
        code, text = client.rcpt(rcpt)
        if code >= 400:
            return code, text
        client.putcmd("data")
        code, text = client.getreply()
        client.send(data.replace(b"\r\n.", b"\r\n..") + b"\r\n.\r\n")
        return client.getreply()
    finally:
        client.close()


def _usage(username):
    return MailboxUsage.objects.filter(username=username).first()


def test_dovecot_enforces_the_portal_size_and_the_portal_warns_once(
    mail_stack, full_world, customer_client_for, db, django_capture_on_commit_callbacks
):
    from mailservices.mailboxes.services import storage_alerts_send

    address, owner = full_world
    email = f"anna@{address.service.domain.name}"
    for n in range(2):
        code, text = _lmtp(mail_stack, email, _message(42 * MB, n))
        assert code == 250, text
    usage = wait_for(
        lambda: (u := _usage(email)) and u.used_bytes >= 83 * MB and u,
        what="quota_clone usage row",
        stack=mail_stack,
    )
    assert usage.messages == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert storage_alerts_send() == 1
        assert storage_alerts_send() == 0  # once per crossing
    assert [m.to for m in mail.outbox] == [[owner.email]]
    client = customer_client_for(owner)
    page = client.get(reverse("mailservices:address_detail", args=[address.pk])).content.decode()
    assert "zu 84 % belegt" in page

    # The last delivery may go over by Dovecot's grace (10 %): now it is full.
    code, text = _lmtp(mail_stack, email, _message(19 * MB, 3))
    assert code == 250, text
    wait_for(lambda: _usage(email).used_bytes >= 100 * MB, what="usage at 100 %")
    with django_capture_on_commit_callbacks(execute=True):
        assert storage_alerts_send() == 1
        assert storage_alerts_send() == 0
    assert "voll" in mail.outbox[-1].subject

    code, text = _lmtp(mail_stack, email, _message(10_000, 4))
    assert code == 552 and b"5.2.2" in text, (code, text)
    page = client.get(reverse("mailservices:address_detail", args=[address.pk])).content.decode()
    assert "Das Postfach ist voll." in page

    import io
    import json

    from django.core.management import call_command

    out = io.StringIO()
    call_command("mailbox_usage", email, "--json", stdout=out)
    reported = json.loads(out.getvalue())
    assert reported["quota_bytes"] == 100 * MB and reported["messages"] == 3
    assert reported["used_bytes"] == _usage(email).used_bytes
