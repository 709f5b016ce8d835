"""Read-only views that Postfix and Dovecot query (the portal is the source of truth).

Each view answers one lookup of the mail stack; the map files written by
`manage.py mailstack_config` only select from them. The SQL is frozen here (a later change
gets a new migration), with the few dialect differences between PostgreSQL and SQLite filled
in per vendor. Plans without a catch-all are frozen too; a test compares them with
`mailservices.plans` so a new unpaid plan cannot slip past the views.
"""

from django.db import migrations

UNPAID_PLANS = ("my_ksuite",)

# Addresses of active services, with the columns every view needs.
_ACTIVE_ADDRESSES = """
    SELECT a.id AS address_id, a.local_part, d.name AS domain,
           a.local_part || '@' || d.name AS address, a.kind, a.enabled, a.password_hash,
           a.storage_quota_mb, s.id AS service_id, s.plan, s.spam_filter_enabled,
           s.external_warning_enabled,
           (SELECT COUNT(*) FROM mailservices_forward f WHERE f.address_id = a.id)
               AS forward_count
      FROM mailservices_address a
      JOIN mailservices_mailservice s ON s.id = a.service_id
      JOIN mailservices_domain d ON d.id = s.domain_id
     WHERE s.status = 'active'
"""

# An address can take mail if it is enabled and has somewhere to put it.
_DELIVERABLE = "(x.enabled AND (x.kind = 'mailbox' OR x.forward_count > 0))"

VIEWS = {
    # Base view: not queried by the stack, shared by the others.
    "mailstack_active_addresses": _ACTIVE_ADDRESSES,
    # Postfix virtual_mailbox_domains
    "mailstack_domains": """
        SELECT d.name AS domain
          FROM mailservices_domain d
          JOIN mailservices_mailservice s ON s.domain_id = d.id
         WHERE s.status = 'active'
    """,
    # Postfix virtual_mailbox_maps: enabled mailboxes and where their Maildir lives.
    "mailstack_mailboxes": """
        SELECT x.address, x.domain || '/' || x.local_part || '/' AS maildir
          FROM mailstack_active_addresses x
         WHERE x.enabled AND x.kind = 'mailbox'
    """,
    # Postfix virtual_alias_maps. Every address maps to itself (so that it wins over the
    # catch-all wildcard `@domain`), plus its forwards; aliases map to their address;
    # `@domain` maps to the catch-all while the service is paid and the catch-all deliverable.
    "mailstack_aliases": f"""
        SELECT x.address AS source, x.address AS destination
          FROM mailstack_active_addresses x
         WHERE x.kind = 'mailbox' OR NOT {_DELIVERABLE}
        UNION ALL
        SELECT x.address, f.destination
          FROM mailstack_active_addresses x
          JOIN mailservices_forward f ON f.address_id = x.address_id
         WHERE x.enabled
        UNION ALL
        SELECT al.local_part || '@' || x.domain, x.address
          FROM mailservices_alias al
          JOIN mailstack_active_addresses x ON x.address_id = al.address_id
         WHERE {_DELIVERABLE}
        UNION ALL
        SELECT '@' || x.domain, x.address
          FROM mailstack_active_addresses x
         WHERE x.local_part = 'catchall' AND {_DELIVERABLE}
           AND x.plan NOT IN ({{unpaid}})
    """,
    # Postfix check_recipient_access: addresses that exist but must refuse mail (disabled,
    # or a redirect without destination), and aliases pointing at them. Checked before the
    # catch-all can take them.
    "mailstack_rejected_recipients": f"""
        SELECT x.address AS recipient,
               CASE WHEN x.enabled THEN '550 5.1.1 Recipient has no destination'
                    ELSE '550 5.2.1 Mailbox disabled' END AS response
          FROM mailstack_active_addresses x
         WHERE NOT {_DELIVERABLE}
        UNION ALL
        SELECT al.local_part || '@' || x.domain,
               CASE WHEN x.enabled THEN '550 5.1.1 Recipient has no destination'
                    ELSE '550 5.2.1 Mailbox disabled' END
          FROM mailservices_alias al
          JOIN mailstack_active_addresses x ON x.address_id = al.address_id
         WHERE NOT {_DELIVERABLE}
    """,
    # Postfix smtpd_sender_login_maps: which login (always a full mailbox address) may use
    # which envelope sender: its own address and its aliases.
    "mailstack_sender_logins": """
        SELECT x.address AS sender, x.address AS login
          FROM mailstack_active_addresses x
         WHERE x.enabled AND x.kind = 'mailbox' AND x.password_hash <> ''
        UNION ALL
        SELECT al.local_part || '@' || x.domain, x.address
          FROM mailservices_alias al
          JOIN mailstack_active_addresses x ON x.address_id = al.address_id
         WHERE x.enabled AND x.kind = 'mailbox' AND x.password_hash <> ''
    """,
    # Dovecot passdb: only enabled mailboxes of active services with a password may log in.
    "mailstack_passdb": """
        SELECT x.address AS username, x.password_hash AS password
          FROM mailstack_active_addresses x
         WHERE x.enabled AND x.kind = 'mailbox' AND x.password_hash <> ''
    """,
    # Dovecot userdb: quota, the service's filter switches and the responder, which the
    # Sieve scripts read as environment values. `own_addresses` (",a@d,alias@d,") lets the
    # responder tell mail addressed to the mailbox from mail the catch-all caught.
    "mailstack_userdb": """
        SELECT x.address AS username, x.domain, x.local_part, x.storage_quota_mb AS quota_mb,
               CASE WHEN x.spam_filter_enabled THEN 'yes' ELSE 'no' END AS spam_filter,
               CASE WHEN x.external_warning_enabled THEN 'yes' ELSE 'no' END
                   AS external_warning,
               ',' || x.address || COALESCE((
                   SELECT ',' || {agg}
                     FROM mailservices_alias al WHERE al.address_id = x.address_id), '')
                   || ',' AS own_addresses,
               CASE WHEN r.id IS NOT NULL AND r.enabled THEN 'yes' ELSE 'no' END
                   AS responder_enabled,
               r.starts_at AS responder_starts_at, r.ends_at AS responder_ends_at,
               COALESCE(r.interval_days, 7) AS responder_interval_days,
               COALESCE(r.subject, '') AS responder_subject,
               COALESCE(r.body, '') AS responder_body
          FROM mailstack_active_addresses x
          LEFT JOIN mailservices_responder r ON r.address_id = x.address_id
         WHERE x.enabled AND x.kind = 'mailbox'
    """,
}

_DIALECT = {
    "postgresql": {"agg": "string_agg(al.local_part || '@' || x.domain, ',')"},
    "sqlite": {"agg": "group_concat(al.local_part || '@' || x.domain, ',')"},
}


def _sql(vendor: str, body: str) -> str:
    unpaid = ", ".join(f"'{plan}'" for plan in UNPAID_PLANS)
    return body.replace("{unpaid}", unpaid).replace("{agg}", _DIALECT[vendor]["agg"])


def create_views(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor not in _DIALECT:
        return  # other databases: the mail stack is not supported there (see README)
    for name, body in VIEWS.items():
        schema_editor.execute(f"DROP VIEW IF EXISTS {name}")
        schema_editor.execute(f"CREATE VIEW {name} AS {_sql(vendor, body)}")


def drop_views(apps, schema_editor):
    if schema_editor.connection.vendor not in _DIALECT:
        return
    for name in reversed(list(VIEWS)):
        schema_editor.execute(f"DROP VIEW IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("mailservices", "0001_initial")]

    operations = [migrations.RunPython(create_views, drop_views, elidable=False)]
