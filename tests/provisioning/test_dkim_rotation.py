"""Guided DKIM rotation through all steps with a controllable clock (DNS lookups are the
edge: a fake that answers what the hosted zone holds, or nothing yet)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from mailservices.diagnosis.checks.dkim import dkim_value
from mailservices.provisioning.models import DkimKey, DkimRotation, ZoneRecord
from mailservices.provisioning.rotation import (
    dkim_rotation_advance,
    dkim_rotation_start,
    dkim_rotations_advance,
)

pytestmark = pytest.mark.django_db

T0 = timezone.now().replace(microsecond=0)


def zone_lookup(domain):
    """The TXT values the hosted zone holds: what our name server answers."""

    def lookup(name):
        relative = name.removesuffix("." + domain.name)
        return list(
            ZoneRecord.objects.filter(domain=domain, name=relative, type="TXT").values_list(
                "value", flat=True
            )
        )

    return lookup


def _dkim_names(domain):
    return set(
        ZoneRecord.objects.filter(domain=domain, name__endswith="._domainkey").values_list(
            "name", flat=True
        )
    )


def test_a_rotation_runs_through_every_step(hosted, settings):
    service = hosted.mail_service
    old = DkimKey.objects.get(service=service)
    old_selector, old_public = old.selector, old.public_key

    rotation = dkim_rotation_start(service=service, now=T0)
    assert rotation.step == "published"
    assert _dkim_names(hosted) == {
        f"{old_selector}._domainkey",
        f"{rotation.new_selector}._domainkey",
    }

    # Not visible yet (a resolver still without it): signing stays on the old key.
    rotation = dkim_rotation_advance(rotation=rotation, now=T0 + timedelta(minutes=5),
                                     lookup=lambda name: [])  # fmt: skip
    assert rotation.step == "published"
    assert DkimKey.objects.get(service=service).selector == old_selector

    # Visible: the signer switches to the new selector, the old record stays.
    t1 = T0 + timedelta(hours=1)
    rotation = dkim_rotation_advance(rotation=rotation, now=t1, lookup=zone_lookup(hosted))
    key = DkimKey.objects.get(service=service)
    assert rotation.step == "active" and rotation.visible_at == t1
    assert (key.selector, key.public_key) == (rotation.new_selector, rotation.new_public_key)
    assert key.public_key != old_public
    assert f"{old_selector}._domainkey" in _dkim_names(hosted)
    grace = timedelta(days=settings.PORTAL_DKIM_ROTATION_GRACE_DAYS)
    assert rotation.retire_after == t1 + grace

    # Within the grace period nothing more happens; after it, the old record goes.
    rotation = dkim_rotation_advance(rotation=rotation, now=t1 + grace - timedelta(seconds=1))
    assert rotation.step == "active"
    rotation = dkim_rotation_advance(rotation=rotation, now=t1 + grace)
    assert rotation.step == "done" and rotation.finished_at == t1 + grace
    assert _dkim_names(hosted) == {f"{rotation.new_selector}._domainkey"}
    assert rotation.new_private_key_pem == ""
    assert ZoneRecord.objects.get(
        domain=hosted, name=f"{rotation.new_selector}._domainkey"
    ).value == (dkim_value(key.public_key))


def test_hosted_zones_rotate_automatically_when_the_key_is_old(hosted, settings):
    service = hosted.mail_service
    service.status = "active"
    service.save()
    key = DkimKey.objects.get(service=service)
    age = timedelta(days=settings.PORTAL_DKIM_ROTATE_AFTER_DAYS)
    assert dkim_rotations_advance(now=key.created_at + age - timedelta(days=1)) == 0
    assert not DkimRotation.objects.exists()

    later = key.created_at + age
    dkim_rotations_advance(now=later, lookup=zone_lookup(hosted))
    rotation = DkimRotation.objects.get(service=service)
    assert rotation.automatic and rotation.step == "active"  # started, visible, switched
    dkim_rotations_advance(now=later + timedelta(days=30), lookup=zone_lookup(hosted))
    rotation.refresh_from_db()
    assert rotation.step == "done"
    dkim_rotations_advance(now=later + timedelta(days=31), lookup=zone_lookup(hosted))
    assert DkimRotation.objects.count() == 1  # not again right away


def test_the_signer_reads_the_active_selector_from_the_portal(hosted):
    """The view names what is signed (the keys themselves are sealed; the signer gets them
    from `manage.py dkim_keys`, tests/dkimsign)."""
    from mailservices.provisioning.selectors import dkim_signing_keys

    service = hosted.mail_service
    service.status = "active"
    service.save()

    def signing():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT selector, algorithm FROM provisioning_dkim_signing WHERE domain = %s",
                [hosted.name],
            )
            return cursor.fetchall()

    (before,) = signing()
    rotation = dkim_rotation_start(service=service, now=T0)
    assert signing() == [before]
    dkim_rotation_advance(rotation=rotation, now=T0, lookup=zone_lookup(hosted))
    assert signing() == [(rotation.new_selector, "rsa")]
    (key,) = [k for k in dkim_signing_keys() if k.domain == hosted.name]
    assert key.selector == rotation.new_selector and key.private_pem.startswith("-----BEGIN")


def test_the_page_shows_each_step_and_starts_a_rotation(customer_client, hosted):
    service = hosted.mail_service
    url = reverse("provisioning:dkim_detail", args=[service.pk])
    assert "Schlüssel jetzt wechseln" in customer_client.get(url).content.decode()
    customer_client.post(reverse("provisioning:dkim_rotate", args=[service.pk]))
    rotation = DkimRotation.objects.get(service=service)
    text = customer_client.get(url).content.decode()
    assert rotation.new_selector in text and "Warten, bis der neue Eintrag" in text


def test_another_customer_gets_404(client, make_customer, hosted):
    service = hosted.mail_service
    client.force_login(make_customer("y@example.org").owner)
    assert client.get(reverse("provisioning:dkim_detail", args=[service.pk])).status_code == 404
    assert client.post(reverse("provisioning:dkim_rotate", args=[service.pk])).status_code == 404
    assert client.post(reverse("provisioning:dkim_ed25519", args=[service.pk])).status_code == 404
    assert not DkimRotation.objects.exists()
    assert not DkimKey.objects.get(service=service).ed25519_public_key


def test_ed25519_beside_rsa_is_published_signed_and_rotated(customer_client, hosted):
    import base64

    service = hosted.mail_service
    service.status = "active"
    service.save()
    customer_client.post(reverse("provisioning:dkim_ed25519", args=[service.pk]))
    key = DkimKey.objects.get(service=service)
    assert len(base64.b64decode(key.ed25519_public_key)) == 32
    record = ZoneRecord.objects.get(domain=hosted, name=f"{key.selector}e._domainkey")
    assert record.value == f"v=DKIM1; k=ed25519; p={key.ed25519_public_key}" and record.managed
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT selector FROM provisioning_dkim_signing WHERE domain = %s ORDER BY 1",
            [hosted.name],
        )
        assert [r[0] for r in cursor.fetchall()] == [key.selector, f"{key.selector}e"]
    assert (
        "Ed25519"
        in customer_client.get(
            reverse("provisioning:dkim_detail", args=[service.pk])
        ).content.decode()
    )

    old = key.selector
    rotation = dkim_rotation_start(service=service, now=T0)
    rotation = dkim_rotation_advance(rotation=rotation, now=T0, lookup=zone_lookup(hosted))
    dkim_rotation_advance(rotation=rotation, now=T0 + timedelta(days=30))
    assert _dkim_names(hosted) == {
        f"{rotation.new_selector}._domainkey",
        f"{rotation.new_selector}e._domainkey",
    }
    assert old not in "".join(_dkim_names(hosted))
