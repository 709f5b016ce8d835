"""The queries Postfix and Dovecot run against the portal's lookup views.

The views themselves live in this app's migrations; these queries only select from them, so
the map files stay short and identical for PostgreSQL and SQLite. Placeholders are the
servers' own: `%s` for Postfix (escaped by Postfix), `%u` for Dovecot (escaped by Dovecot).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class PostfixMap:
    """One Postfix lookup table: the main.cf parameter it serves and its query."""

    name: str
    parameter: str
    query: str


POSTFIX_MAPS = (
    PostfixMap(
        "virtual_mailbox_domains",
        "virtual_mailbox_domains",
        "SELECT domain FROM mailstack_domains WHERE domain = '%s'",
    ),
    PostfixMap(
        "virtual_mailbox_maps",
        "virtual_mailbox_maps",
        "SELECT maildir FROM mailstack_mailboxes WHERE address = '%s'",
    ),
    PostfixMap(
        "virtual_alias_maps",
        "virtual_alias_maps",
        "SELECT destination FROM mailstack_aliases WHERE source = '%s'",
    ),
    PostfixMap(
        "recipient_access",
        "check_recipient_access",
        "SELECT response FROM mailstack_rejected_recipients WHERE recipient = '%s'",
    ),
    PostfixMap(
        "local_domain_class",
        "check_recipient_access",
        # Access maps are also asked with the bare domain: mail for one of our domains gets
        # the recipient-syntax restriction class (RECIPIENT_SYNTAX below).
        "SELECT 'mailstack_local_syntax' FROM mailstack_domains WHERE domain = '%s'",
    ),
    PostfixMap(
        "sender_login_maps",
        "smtpd_sender_login_maps",
        "SELECT login FROM mailstack_sender_logins WHERE sender = '%s'",
    ),
)


@dataclass(frozen=True)
class SyntaxRule:
    """One line of Postfix's regexp table for recipients at our domains."""

    pattern: str  # POSIX ERE, matched case-insensitively against `local[+tag]@domain`
    negate: bool
    response: str

    @property
    def line(self) -> str:
        return f"{'!' if self.negate else ''}/{self.pattern}/ {self.response}"


# Only local parts the portal can create (mailservices.validators: a-z 0-9 . _ -, no
# leading, trailing or double dot, at most 64 characters), optionally with a +tag. Without
# this, Postfix would hand `.x@`, `a..b@` or `+x@` to the catch-all.
RECIPIENT_SYNTAX = (
    SyntaxRule("^[^@+]{65,}([+][^@]*)?@", False, "550 5.1.3 Bad recipient address syntax"),
    SyntaxRule(
        "^[a-z0-9][a-z0-9_-]*([.][a-z0-9_-]+)*([+][^@]*)?@[^@]+$",
        True,
        "550 5.1.3 Bad recipient address syntax",
    ),
)

PASSDB_QUERY = "SELECT username AS user, password FROM mailstack_passdb WHERE username = '%u'"


def app_passdb_query(secret: str) -> str:
    """Dovecot's second passdb: the one app password of the address whose lookup key matches
    the typed password (`mailservices.apppasswords.keys`) and which allows this service
    (`%s`: imap, or smtp for Postfix's SASL). `app_password_id` becomes a passdb field the
    auth policy report carries (last use)."""
    from mailservices.apppasswords.keys import dovecot_key_expression

    key = dovecot_key_expression(secret)  # the secret is letters/digits (system check)
    return (
        "SELECT username AS user, password, app_password_id FROM mailstack_app_passdb "  # noqa: S608
        f"WHERE username = '%u' AND service = '%s' AND lookup_key = '{key}'"
    )


# Everything except `user` and `quota_rule` reaches the Sieve scripts as
# `vnd.dovecot.config.mailstack_*` (userdb fields become plugin settings; `sieve_env_*`
# settings are what the environment extension exposes).
_USERDB_FIELDS = """username AS user,
  '*:storage=' || quota_mb || 'M' AS quota_rule,
  spam_filter AS sieve_env_mailstack_spam_filter,
  external_warning AS sieve_env_mailstack_external_warning,
  domain AS sieve_env_mailstack_domain,
  own_addresses AS sieve_env_mailstack_own_addresses,
  CASE WHEN responder_enabled = 'yes' AND responder_starts_at <= {now}
        AND (responder_ends_at IS NULL OR responder_ends_at > {now})
       THEN 'yes' ELSE 'no' END AS sieve_env_mailstack_responder,
  REPLACE(responder_subject, '%%', '%%%%') AS sieve_env_mailstack_responder_subject,
  REPLACE(responder_body, '%%', '%%%%') AS sieve_env_mailstack_responder_body,
  responder_interval_days || 'd' AS sieve_vacation_default_period"""


def userdb_query(*, now: str = "CURRENT_TIMESTAMP") -> str:
    """Dovecot's user_query; `now` is replaced by a parameter in tests (fixed clock)."""
    fields = _USERDB_FIELDS.replace("{now}", now)
    return f"SELECT {fields}\n  FROM mailstack_userdb WHERE username = '%u'"  # noqa: S608 (constants)


def as_sql(query: str) -> str:
    """A map query as plain SQL with one `%s` parameter for the key (DB-API style).

    Dovecot queries double a literal `%`; Postfix queries have none besides the key.
    """
    sql = query.replace("'%u'", "\0").replace("'%s'", "\0").replace("%%", "%")
    return sql.replace("%", "%%").replace("\0", "%s")


USERDB_ITERATE_QUERY = "SELECT username AS user FROM mailstack_userdb"
