"""End to end (PostgreSQL run): a message submitted by a logged-in address goes through the
real Postfix, OpenDKIM signs it with the keys `manage.py dkim_keys` exported from the
portal's sealed keys, and dkimpy verifies every signature against the key the portal
publishes (asked from our PowerDNS). After a rotation switches the selector and the export
runs again (OpenDKIM reloads on SIGUSR1), the new selector signs.
"""

import smtplib
import time
import uuid
from email.message import EmailMessage
from io import StringIO

import dns.rcode
import pytest
from django.core.management import call_command

from tests.conftest import require_service
from tests.mailstack.conftest import wait_for

PASSWORD = "Signatur-Gletscher-2026"


def _dkimpy():
    try:
        import dkim
    except ImportError:
        dkim = None
    require_service("dkimpy (pip: dkimpy, pynacl)", dkim is not None)
    return dkim


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """A registered domain with a mail service, an address and Ed25519 beside RSA,
    committed for the daemons; deleted again after the module."""
    from mailservices.plans import Plan
    from mailservices.provisioning.services import dkim_ed25519_enable
    from mailservices.services import domain_create, mailservice_create
    from mailservices.services.addresses import address_create
    from portal.accounts.models import User
    from portal.accounts.services import customer_create

    name = f"signiert-{uuid.uuid4().hex[:6]}.test"
    with django_db_blocker.unblock():
        owner = User.objects.create_user(email=f"dkim-{uuid.uuid4().hex[:8]}@example.org")
        customer = customer_create(owner=owner)
        service = mailservice_create(
            domain=domain_create(customer=customer, name=name, source="registered"),
            plan=Plan.SERVICE_MAIL,
        )
        address_create(service=service, local_part="anna", password=PASSWORD)
        dkim_ed25519_enable(service=service)
        yield service
        service.domain.zone_records.all().delete()
        service.delete()
        service.domain.delete()
        customer.delete()
        owner.delete()


def _export(keys_dir, signers) -> str:
    """The timer's job on a mail host: export, and reload both signers when it changed."""
    out = StringIO()
    pid_files = [str(signer.pid_file) for signer in signers]
    call_command("dkim_keys", out=str(keys_dir), reload_pid_file=pid_files, stdout=out)
    return out.getvalue()


def _submit(stack, sender: str, subject: str) -> bytes:
    """Submits as the logged-in sender (port 465); the raw message the sink received."""
    msg = EmailMessage()
    msg["From"] = f"Anna <{sender}>"
    msg["To"] = "bob@outside.test"
    msg["Subject"] = subject
    msg["Date"] = "Sun, 06 Dec 2026 12:00:00 +0100"
    msg["Message-ID"] = f"<{uuid.uuid4().hex}@{sender.split('@')[1]}>"
    msg.set_content("Grüezi Bob\n\nDiese Nachricht ist signiert.\n")
    with smtplib.SMTP_SSL(
        "127.0.0.1", stack.ports.submission, context=stack.tls_context(), timeout=15
    ) as client:
        client.login(sender, PASSWORD)
        try:
            client.send_message(msg)
        except smtplib.SMTPException as exc:
            pytest.fail(f"{exc}\n{stack.logs()}")

    def received():
        with stack.sink.lock:
            for _sender, _rcpts, raw in stack.sink.messages:
                if f"Subject: {subject}".encode() in raw:
                    return raw
        return None

    return wait_for(received, what=f"{subject} at the sink", stack=stack)


def _signatures(raw: bytes) -> list[dict[bytes, bytes]]:
    import dkim

    found = []
    for name, value in dkim.rfc822_parse(raw)[0]:
        if name.lower() == b"dkim-signature":
            found.append(dkim.util.parse_tag_value(value))
    return found


def _verify_all(raw: bytes, name_server) -> list[tuple[str, str]]:
    """(selector, algorithm) of each signature, each verified by dkimpy with the key our
    name server publishes."""
    dkim = _dkimpy()

    def dnsfunc(name, timeout=5):
        response = name_server.query(name.decode().rstrip("."), "TXT")
        assert response.rcode() == dns.rcode.NOERROR, name
        return b"".join(b"".join(rr.strings) for rrset in response.answer for rr in rrset)

    verifier = dkim.DKIM(raw)
    signed = []
    for index, tags in enumerate(_signatures(raw)):
        assert verifier.verify(idx=index, dnsfunc=dnsfunc), (tags, verifier.logger)
        signed.append((tags[b"s"].decode(), tags[b"a"].decode()))
    return sorted(signed)


def _signed_after_reload(stack, sender, label, expected, attempts=20):
    """OpenDKIM reloads its tables in the background after SIGUSR1: submits until a
    message carries the expected signatures (s=, a=); the raw message."""
    for _ in range(attempts):
        raw = _submit(stack, sender, f"{label} {uuid.uuid4().hex[:6]}")
        found = sorted((t[b"s"].decode(), t[b"a"].decode()) for t in _signatures(raw))
        if found == expected:
            return raw
        time.sleep(0.5)
    pytest.fail(f"still signed with {found}, expected {expected}")


@pytest.mark.django_db(transaction=True)
def test_opendkim_signs_with_the_active_selector_before_and_after_a_rotation(
    signing_stack, opendkim, keys_dir, name_server, world, settings
):
    from mailservices.provisioning.models import DkimKey
    from mailservices.provisioning.rotation import dkim_rotation_advance, dkim_rotation_start

    _dkimpy()
    domain = world.domain.name
    key = DkimKey.objects.get(service=world)
    assert "new set" in _export(keys_dir, opendkim)
    expected = [(key.selector, "rsa-sha256"), (key.ed25519_selector, "ed25519-sha256")]
    raw = _signed_after_reload(signing_stack, f"anna@{domain}", "Vorher", expected)
    assert _verify_all(raw, name_server) == expected
    assert {tags[b"d"] for tags in _signatures(raw)} == {domain.encode()}

    # The rotation publishes a new selector; once our name server answers it, signing
    # switches in the portal, and the next export hands it to OpenDKIM.
    settings.PORTAL_DNS_SERVER = name_server.address
    rotation = dkim_rotation_start(service=world)
    assert "unchanged" in _export(keys_dir, opendkim)  # published, not signing yet
    rotation = dkim_rotation_advance(rotation=rotation)
    assert rotation.step == "active"
    assert "new set" in _export(keys_dir, opendkim)
    assert all(signer.alive() for signer in opendkim)
    new = rotation.new_selector
    expected = [(new, "rsa-sha256"), (new + "e", "ed25519-sha256")]
    raw = _signed_after_reload(signing_stack, f"anna@{domain}", "Nachher", expected)
    assert _verify_all(raw, name_server) == expected
