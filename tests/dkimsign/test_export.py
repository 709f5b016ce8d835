"""The signer's export (`manage.py dkim_keys`) and the sealed keys behind it; runs on both
databases (no daemon)."""

import stat
import subprocess
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_service(make_service):
    from mailservices.provisioning.services import dkim_key_ensure

    service = make_service()
    service.status = "active"
    service.save()
    dkim_key_ensure(service=service)
    return service


def _export(out, **kwargs) -> str:
    text = StringIO()
    call_command("dkim_keys", out=str(out), stdout=text, **kwargs)
    return text.getvalue()


def test_private_keys_are_sealed_in_the_database_and_open_in_python(signed_service):
    from mailservices.provisioning.models import DkimKey
    from mailservices.provisioning.services import dkim_ed25519_enable

    dkim_ed25519_enable(service=signed_service)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT private_key_pem, ed25519_private_pem FROM diagnosis_dkimkey"
            " WHERE service_id = %s",
            [signed_service.pk],
        )
        stored = cursor.fetchone()
    assert all(value.startswith("gAAAAA") and "PRIVATE" not in value for value in stored)
    key = DkimKey.objects.get(service=signed_service)
    assert key.private_key_pem.startswith("-----BEGIN PRIVATE KEY-----")
    assert key.ed25519_private_pem.startswith("-----BEGIN PRIVATE KEY-----")
    from mailservices.provisioning.keys import public_key_of

    assert public_key_of(key.private_key_pem) == key.public_key


def test_the_export_writes_tables_and_private_key_files(signed_service, tmp_path):
    from mailservices.provisioning.models import DkimKey
    from mailservices.provisioning.services import dkim_ed25519_enable

    dkim_ed25519_enable(service=signed_service)
    key = DkimKey.objects.get(service=signed_service)
    domain = signed_service.domain.name
    assert "new set" in _export(tmp_path)
    current = tmp_path / "current"
    assert current.is_symlink()
    rsa_file = current / "keys" / f"{domain}.{key.selector}.key"
    ed_file = current / "keys" / f"{domain}.{key.selector}e.key"
    assert rsa_file.read_text() == key.private_key_pem
    assert ed_file.read_text() == key.ed25519_private_pem
    for path in (rsa_file, ed_file):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((current / "keys").stat().st_mode) == 0o700
    target = current.resolve()
    assert (current / "KeyTable").read_text() == (
        f"{key.selector}._domainkey.{domain} {domain}:{key.selector}:{target}/keys/"
        f"{domain}.{key.selector}.key\n"
    )
    assert (current / "SigningTable").read_text() == (
        f"*@{domain} {key.selector}._domainkey.{domain}\n"
    )
    assert f"{key.selector}e._domainkey.{domain} " in (current / "KeyTable.ed25519").read_text()
    rsa_conf = (tmp_path / "opendkim.conf.portal").read_text()
    assert f"KeyTable file:{tmp_path}/current/KeyTable\n" in rsa_conf
    assert "SignatureAlgorithm rsa-sha256" in rsa_conf
    ed_conf = (tmp_path / "opendkim-ed25519.conf.portal").read_text()
    assert "SignatureAlgorithm ed25519-sha256" in ed_conf
    assert f"SigningTable refile:{tmp_path}/current/SigningTable.ed25519\n" in ed_conf


def test_an_unchanged_export_keeps_its_set_and_a_switch_makes_a_new_one(signed_service, tmp_path):
    from mailservices.provisioning.models import DkimKey
    from mailservices.provisioning.rotation import dkim_rotation_advance, dkim_rotation_start

    _export(tmp_path)
    first = (tmp_path / "current").resolve()
    assert "unchanged" in _export(tmp_path)
    rotation = dkim_rotation_start(service=signed_service)
    assert "unchanged" in _export(tmp_path)  # published only: signing stays
    new_value = f"v=DKIM1; k=rsa; p={rotation.new_public_key}"
    dkim_rotation_advance(rotation=rotation, lookup=lambda name: [new_value])
    assert "new set" in _export(tmp_path)
    second = (tmp_path / "current").resolve()
    assert second != first and first.is_dir()  # the set before stays for a late reload
    assert rotation.new_selector in (tmp_path / "current" / "KeyTable").read_text()
    assert DkimKey.objects.get(service=signed_service).selector == rotation.new_selector
    # A third set removes the first.
    signed_service.status = "suspended"
    signed_service.save()
    _export(tmp_path)
    assert not first.exists() and second.is_dir()
    assert (tmp_path / "current" / "KeyTable").read_text() == ""


def test_the_export_asks_each_signer_to_reload(signed_service, tmp_path):
    sleeper = subprocess.Popen(["sleep", "30"])
    pid_file = tmp_path / "opendkim.pid"
    pid_file.write_text(f"{sleeper.pid}\n")
    try:
        text = _export(tmp_path / "keys", reload_pid_file=[str(pid_file)])
        assert f"pid {sleeper.pid}" in text
        assert sleeper.wait(timeout=10) == -10  # SIGUSR1 (sleep does not catch it)
        assert "asked to reload" not in _export(tmp_path / "keys", reload_pid_file=[str(pid_file)])
    finally:
        if sleeper.poll() is None:
            sleeper.kill()


def test_reseal_moves_every_key_to_the_first_sealing_key(signed_service, settings):
    from cryptography.fernet import Fernet

    from mailservices.provisioning import sealing
    from mailservices.provisioning.models import DkimKey

    pem = DkimKey.objects.get(service=signed_service).private_key_pem
    old_keys = sealing.seal_keys()
    new = Fernet.generate_key().decode()
    settings.PORTAL_DKIM_SEAL_KEYS = [new, *old_keys]
    call_command("dkim_keys", reseal=True, stdout=StringIO())
    settings.PORTAL_DKIM_SEAL_KEYS = [new]  # the old key is gone
    assert DkimKey.objects.get(service=signed_service).private_key_pem == pem
    settings.PORTAL_DKIM_SEAL_KEYS = [Fernet.generate_key().decode()]
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        DkimKey.objects.get(service=signed_service)


def test_the_sealing_keys_default_to_the_secret_key(settings):
    from mailservices.provisioning import sealing

    settings.PORTAL_DKIM_SEAL_KEYS = []
    settings.SECRET_KEY = "a" * 50
    settings.SECRET_KEY_FALLBACKS = ["b" * 50]
    assert sealing.seal_keys() == [sealing.derived_key("a" * 50), sealing.derived_key("b" * 50)]
    assert sealing.unseal(sealing.seal("x")) == "x"
    assert sealing.seal("") == ""


def test_a_bad_sealing_key_is_reported(settings):
    from mailservices.hosteddns.checks import hosted_dns_settings

    settings.PORTAL_DKIM_SEAL_KEYS = ["kein-schluessel"]
    assert "hosteddns.E009" in {error.id for error in hosted_dns_settings()}
