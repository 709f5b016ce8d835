"""Reads for the DAV server: the same passdb views Dovecot queries, and who still exists."""

from django.db import connection

from mailservices.models import Address

# Exactly Dovecot's question (mailservices.mailstack.lookups.PASSDB_QUERY): only enabled
# mailboxes of active services with a password are in the view.
PASSDB_QUERY = "SELECT password FROM mailstack_passdb WHERE username = %s"


def passdb_hash(address: str) -> str | None:
    """The stored `{ARGON2ID}` hash of an address that may log in now with its mail
    password, else None (also for an address that allows only app passwords)."""
    with connection.cursor() as cursor:
        cursor.execute(PASSDB_QUERY, [address])
        row = cursor.fetchone()
    return row[0] if row else None


# Dovecot's second passdb (mailservices.mailstack.lookups.app_passdb_query) for the service
# `dav`: at most one row, the app password whose lookup key the typed password has.
APP_PASSDB_QUERY = (
    "SELECT app_password_id, password FROM mailstack_app_passdb "
    "WHERE username = %s AND service = 'dav' AND lookup_key = %s"
)


def app_passdb_row(address: str, password: str) -> tuple[int, str] | None:
    """(id, stored hash) of the app password allowing DAV that `password` could be."""
    from mailservices.apppasswords.app_settings import app_settings
    from mailservices.apppasswords.keys import lookup_key

    with connection.cursor() as cursor:
        cursor.execute(
            APP_PASSDB_QUERY, [address, lookup_key(password, app_settings.LOOKUP_SECRET)]
        )
        row = cursor.fetchone()
    return (int(row[0]), row[1]) if row else None


def existing_logins() -> set[str]:
    """Every address that exists (enabled or not) as `local@domain`, lower case."""
    return {
        f"{local}@{domain}".lower()
        for local, domain in Address.objects.values_list("local_part", "service__domain__name")
    }
