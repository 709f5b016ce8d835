"""Reads for the DAV server: the same passdb view Dovecot queries, and who still exists."""

from django.db import connection

from mailservices.models import Address

# Exactly Dovecot's question (mailservices.mailstack.lookups.PASSDB_QUERY): only enabled
# mailboxes of active services with a password are in the view.
PASSDB_QUERY = "SELECT password FROM mailstack_passdb WHERE username = %s"


def passdb_hash(address: str) -> str | None:
    """The stored `{ARGON2ID}` hash of an address that may log in now, else None."""
    with connection.cursor() as cursor:
        cursor.execute(PASSDB_QUERY, [address])
        row = cursor.fetchone()
    return row[0] if row else None


def existing_logins() -> set[str]:
    """Every address that exists (enabled or not) as `local@domain`, lower case."""
    return {
        f"{local}@{domain}".lower()
        for local, domain in Address.objects.values_list("local_part", "service__domain__name")
    }
