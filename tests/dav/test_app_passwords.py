"""App passwords at the real DAV server (Radicale + our auth plugin): one allowing DAV logs
in and its last use is recorded; IMAP/SMTP-only, revoked or another address's ones do not;
"only app passwords" refuses the mail password. Same tests on SQLite and PostgreSQL."""

import niquests
import pytest

from mailservices.apppasswords.models import AppPassword
from mailservices.apppasswords.services import (
    app_password_create,
    app_password_revoke,
    app_passwords_only_set,
)
from tests.dav.conftest import MAIL_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

ANNA = "anna@beispiel.ch"
BRUNO = "bruno@fremd.ch"


def status(server, login, password, who=ANNA):
    response = niquests.request(
        "PROPFIND",
        f"{server.url}{who}/",
        auth=(login, password),
        headers={"Depth": "0"},
        timeout=10,
    )
    return response.status_code


def test_an_app_password_allowing_dav_logs_in_and_its_use_is_recorded(dav_server, dav_world):
    created = app_password_create(address=dav_world["anna"], name="iPhone Anna", protocols=["dav"])
    assert status(dav_server, ANNA, created.password) == 207
    assert status(dav_server, ANNA, MAIL_PASSWORD) == 207  # the mail password still works
    row = AppPassword.objects.get(pk=created.app_password.pk)
    assert row.last_used_at is not None
    assert (row.last_used_ip, row.last_used_service) == ("127.0.0.1", "dav")


def test_imap_and_smtp_only_app_passwords_are_refused(dav_server, dav_world):
    mail_only = app_password_create(
        address=dav_world["anna"], name="Thunderbird Büro", protocols=["imap", "smtp"]
    )
    assert status(dav_server, ANNA, mail_only.password) == 401
    assert AppPassword.objects.get(pk=mail_only.app_password.pk).last_used_at is None


def test_a_revoked_app_password_is_refused_at_once(dav_server, dav_world):
    created = app_password_create(address=dav_world["anna"], name="Altes iPad", protocols=["dav"])
    assert status(dav_server, ANNA, created.password) == 207
    app_password_revoke(app_password=created.app_password)
    assert status(dav_server, ANNA, created.password) == 401


def test_another_addresses_app_password_is_refused(dav_server, dav_world):
    created = app_password_create(address=dav_world["bruno"], name="Bruno", protocols=["dav"])
    assert status(dav_server, BRUNO, created.password, who=BRUNO) == 207
    assert status(dav_server, ANNA, created.password) == 401


def test_only_app_passwords_refuses_the_mail_password(dav_server, dav_world):
    created = app_password_create(address=dav_world["anna"], name="Android", protocols=["dav"])
    assert status(dav_server, ANNA, MAIL_PASSWORD) == 207
    app_passwords_only_set(address=dav_world["anna"], enabled=True)
    assert status(dav_server, ANNA, MAIL_PASSWORD) == 401
    assert status(dav_server, ANNA, created.password) == 207
    app_passwords_only_set(address=dav_world["anna"], enabled=False)
    assert status(dav_server, ANNA, MAIL_PASSWORD) == 207
