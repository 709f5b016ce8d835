"""The views Dovecot and the DAV server read (mailstack migration 0003), on SQLite and
PostgreSQL alike: one row per app password and allowed service, found by the lookup key
Dovecot computes; a NULL mail password for "only app passwords"."""

import pytest
from django.db import connection

from mailservices.apppasswords import keys
from mailservices.apppasswords.app_settings import app_settings
from mailservices.apppasswords.services import (
    app_password_create,
    app_password_revoke,
    app_passwords_only_set,
)
from mailservices.dav.selectors import app_passdb_row, passdb_hash
from mailservices.mailstack.lookups import PASSDB_QUERY, app_passdb_query, as_sql
from mailservices.services.addresses import address_set_enabled

pytestmark = pytest.mark.django_db

LOGIN = "anna@beispiel.ch"


def app_rows(login, password, service):
    """Dovecot's app-password query itself, with the key computed as Dovecot does."""
    secret = app_settings.LOOKUP_SECRET
    query = app_passdb_query(secret).replace(f"'{keys.dovecot_key_expression(secret)}'", "'%k'")
    for placeholder in ("'%u'", "'%s'", "'%k'"):
        query = query.replace(placeholder, "\0")
    sql = query.replace("%", "%%").replace("\0", "%s")
    with connection.cursor() as cursor:
        cursor.execute(sql, [login, service, keys.lookup_key(password, secret)])
        return cursor.fetchall()


def main_rows(login):
    with connection.cursor() as cursor:
        cursor.execute(as_sql(PASSDB_QUERY), [login])
        return cursor.fetchall()


def test_one_row_per_allowed_service(address):
    created = app_password_create(address=address, name="Mail", protocols=["imap", "smtp"])
    pk = created.app_password.pk
    for service in ("imap", "smtp"):
        (row,) = app_rows(LOGIN, created.password, service)
        assert row[0] == LOGIN and row[1].startswith("{ARGON2ID}") and int(row[2]) == pk
    assert app_rows(LOGIN, created.password, "dav") == []
    assert app_passdb_row(LOGIN, created.password) is None  # the DAV server: no DAV
    assert app_rows(LOGIN, created.password + "x", "imap") == []


def test_revoked_and_disabled_are_gone(address):
    created = app_password_create(address=address, name="DAV", protocols=["dav"])
    assert app_passdb_row(LOGIN, created.password)[0] == created.app_password.pk
    address_set_enabled(address=address, enabled=False)
    assert app_passdb_row(LOGIN, created.password) is None
    address_set_enabled(address=address, enabled=True)
    app_password_revoke(app_password=created.app_password)
    assert app_passdb_row(LOGIN, created.password) is None


def test_only_app_passwords_serves_no_mail_password(address):
    (row,) = main_rows(LOGIN)
    assert row[1].startswith("{ARGON2ID}")
    app_passwords_only_set(address=address, enabled=True)
    # The user still exists (a master-user login finds it), without a password.
    assert main_rows(LOGIN) == [(LOGIN, None)]
    assert passdb_hash(LOGIN) is None
    app_passwords_only_set(address=address, enabled=False)
    assert passdb_hash(LOGIN).startswith("{ARGON2ID}")
