import shutil
import subprocess

import pytest
from django.core.exceptions import ValidationError

from mailservices.passwords import (
    hash_mail_password,
    password_strength,
    validate_mail_password,
    verify_mail_password,
)
from tests.conftest import require_service

DOVEADM = shutil.which("doveadm") or "/usr/bin/doveadm"


def test_hash_has_dovecot_scheme_and_verifies():
    stored = hash_mail_password("Gletscher-Weg-2026!")
    assert stored.startswith("{ARGON2ID}$argon2id$v=19$")
    assert verify_mail_password("Gletscher-Weg-2026!", stored)
    assert not verify_mail_password("gletscher-weg-2026!", stored)
    assert not verify_mail_password("", stored)


def test_each_hash_has_its_own_salt():
    assert hash_mail_password("same-password-1") != hash_mail_password("same-password-1")


@pytest.mark.parametrize(
    "stored",
    ["", "plain", "{PLAIN}secret", "{SHA512-CRYPT}$6$abc$def", "{ARGON2ID}garbage", "$argon2id$"],
)
def test_unknown_or_broken_hashes_never_verify(stored):
    assert verify_mail_password("secret", stored) is False


def test_verifies_hashes_written_by_doveadm():
    require_service("doveadm", shutil.which(DOVEADM) is not None)
    out = subprocess.run(
        [DOVEADM, "pw", "-s", "ARGON2ID", "-p", "Föhn-Sturm 2026"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert out.startswith("{ARGON2ID}")
    assert verify_mail_password("Föhn-Sturm 2026", out)
    assert not verify_mail_password("Föhn-Sturm 2027", out)


@pytest.mark.parametrize(
    "params",
    [
        {"time_cost": 3, "memory_cost": 65536, "parallelism": 1},  # production (Dovecot default)
        {"time_cost": 1, "memory_cost": 1024, "parallelism": 1},  # test settings
    ],
)
def test_dovecot_verifies_our_hashes(settings, params):
    require_service("doveadm", shutil.which(DOVEADM) is not None)
    settings.PORTAL_MAIL_PASSWORD_ARGON2 = params
    password = "Föhn-Sturm 2026 ✓"
    stored = hash_mail_password(password)
    ok = subprocess.run([DOVEADM, "pw", "-t", stored, "-p", password], capture_output=True)
    assert ok.returncode == 0, ok.stderr
    bad = subprocess.run([DOVEADM, "pw", "-t", stored, "-p", "falsch"], capture_output=True)
    assert bad.returncode != 0


@pytest.mark.parametrize(
    ("password", "score"),
    [
        ("", 0),
        ("abc", 0),
        ("aaaaaaaaaaaaaaaaaaaa", 1),
        ("abcdefghij", 1),
        ("abcdefghijklmn", 2),
        ("Abcdefgh1jklmn", 3),
        ("Abcdefgh1!jk", 3),
        ("Gletscher-Weg-2026!", 4),
    ],
)
def test_password_strength(password, score):
    assert password_strength(password) == score


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("kurz", "password_too_short"),
        ("1234567890123", "password_entirely_numeric"),
        ("password1234", "password_too_common"),
        ("anna-sommer-2026", "password_contains_address"),
        ("abababababab", "password_repetitive"),
    ],
)
def test_weak_passwords_are_refused(password, code):
    with pytest.raises(ValidationError) as exc:
        validate_mail_password(password, address="anna@beispiel.ch")
    assert code in {error.code for error in exc.value.error_list}


def test_good_password_passes():
    validate_mail_password("Gletscher-Weg-2026!", address="anna@beispiel.ch")
