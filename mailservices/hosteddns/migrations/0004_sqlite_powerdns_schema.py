"""The tables and views PowerDNS's gsqlite3 backend reads, in the portal's SQLite file
(`make run`'s embedded database). Same semantics as the PostgreSQL `pdns` schema of
`0002`/`0003`, in SQLite's dialect and in the main schema (SQLite has no other):

- `domains` and `records` are views over the domains registered with us, the zone defaults
  (SOA, NS) and the zone records; TXT quoted into 255-byte strings (a recursive CTE in
  place of `pdns.txt_content()`), MX/SRV priority in `prio`, `auth` 0 below a
  sub-delegation; booleans as 0/1, as gsqlite3 expects them.
- `cryptokeys` and `domainmetadata` are views over the portal's DNSSEC tables, writable
  through INSTEAD OF triggers (PostgreSQL's simple views are writable by themselves), so
  `pdnsutil` still works on them.
- `comments`, `tsigkeys`, `supermasters` are PowerDNS's own tables, unused by the portal.
- The SOA serial rises on every change of a zone record: triggers on the zone records bump
  `pdns_zone_serials` to max(serial + 1, now as Unix time).

SQLite drops a table's triggers when Django rebuilds the table (an ALTER it cannot do in
place), so the app re-creates missing ones after every migrate (`ensure_sqlite_schema`).
Nothing happens on PostgreSQL.
"""

from django.db import migrations

# PowerDNS's TXT content: the value as quoted strings of at most 255 bytes, `"` and `\`
# escaped; walks the value character by character (only for the rows asked for).
TXT_CONTENT = r"""(WITH RECURSIVE walk(pos, chunk, size, done) AS (
        SELECT 1, '', 0, ''
        UNION ALL
        SELECT pos + 1,
               CASE WHEN size + length(CAST(substr(r.value, pos, 1) AS BLOB)) > 255
                    THEN '' ELSE chunk END
               || CASE WHEN substr(r.value, pos, 1) IN ('"', '\') THEN '\' ELSE '' END
               || substr(r.value, pos, 1),
               CASE WHEN size + length(CAST(substr(r.value, pos, 1) AS BLOB)) > 255
                    THEN 0 ELSE size END + length(CAST(substr(r.value, pos, 1) AS BLOB)),
               CASE WHEN size + length(CAST(substr(r.value, pos, 1) AS BLOB)) > 255
                    THEN done || '"' || chunk || '" ' ELSE done END
          FROM walk WHERE pos <= length(r.value))
    SELECT done || '"' || chunk || '"' FROM walk ORDER BY pos DESC LIMIT 1)"""

TABLES = r"""
CREATE TABLE IF NOT EXISTS pdns_zone_serials (
    domain_id INTEGER PRIMARY KEY,
    serial INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS comments (
    id INTEGER PRIMARY KEY,
    domain_id INTEGER NOT NULL,
    name VARCHAR(255) NOT NULL,
    type VARCHAR(10) NOT NULL,
    modified_at INT NOT NULL,
    account VARCHAR(40) DEFAULT NULL,
    comment VARCHAR(65535) NOT NULL
);
CREATE TABLE IF NOT EXISTS tsigkeys (
    id INTEGER PRIMARY KEY,
    name VARCHAR(255) COLLATE NOCASE,
    algorithm VARCHAR(50) COLLATE NOCASE,
    secret VARCHAR(255)
);
CREATE UNIQUE INDEX IF NOT EXISTS pdns_tsigkeys_name_algorithm ON tsigkeys(name, algorithm);
CREATE TABLE IF NOT EXISTS supermasters (
    ip VARCHAR(64) NOT NULL,
    nameserver VARCHAR(255) NOT NULL COLLATE NOCASE,
    account VARCHAR(40) NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS pdns_supermasters_ip_ns ON supermasters(ip, nameserver);
"""

VIEWS = (
    r"""
CREATE VIEW IF NOT EXISTS domains AS
SELECT d.id AS id,
       d.name AS name,
       NULL AS master,
       NULL AS last_check,
       'NATIVE' AS type,
       NULL AS notified_serial,
       NULL AS account,
       NULL AS options,
       NULL AS catalog
  FROM mailservices_domain d
 WHERE d.source = 'registered';

CREATE VIEW IF NOT EXISTS records AS
SELECT d.id AS domain_id,
       d.name AS name,
       'SOA' AS type,
       rtrim(CASE WHEN instr(s.nameservers, ' ') > 0
                  THEN substr(s.nameservers, 1, instr(s.nameservers, ' ') - 1)
                  ELSE s.nameservers END, '.')
         || ' ' || rtrim(s.hostmaster, '.') || ' '
         || coalesce(z.serial, CAST(strftime('%s', d.created_at) AS INTEGER) - 1) || ' '
         || s.refresh || ' ' || s.retry || ' ' || s.expire || ' ' || s.minimum AS content,
       s.ttl AS ttl,
       0 AS prio,
       0 AS disabled,
       NULL AS ordername,
       1 AS auth
  FROM mailservices_domain d
 CROSS JOIN hosteddns_zonedefaults s
  LEFT JOIN pdns_zone_serials z ON z.domain_id = d.id
 WHERE d.source = 'registered'
UNION ALL
SELECT d.id, d.name, 'NS', rtrim(ns.value, '.'), s.ttl, 0, 0, NULL, 1
  FROM mailservices_domain d
 CROSS JOIN hosteddns_zonedefaults s
 CROSS JOIN json_each('["' || replace(trim(s.nameservers), ' ', '","') || '"]') ns
 WHERE d.source = 'registered' AND ns.value <> ''
UNION ALL
SELECT r.domain_id,
       CASE WHEN r.name = '@' THEN d.name ELSE lower(r.name) || '.' || d.name END,
       r.type,
       CASE WHEN r.type = 'TXT' THEN """
    + TXT_CONTENT
    + r"""
            -- PowerDNS keeps the priority of MX and SRV in its own column.
            WHEN r.type IN ('MX', 'SRV')
                THEN rtrim(substr(trim(r.value), instr(trim(r.value), ' ') + 1), '.')
            -- Names in content without the final dot, as PowerDNS writes them itself.
            WHEN r.type IN ('CNAME', 'NS') THEN rtrim(trim(r.value), '.')
            ELSE trim(r.value) END,
       r.ttl,
       CASE WHEN r.type IN ('MX', 'SRV')
            THEN CAST(substr(trim(r.value), 1, instr(trim(r.value), ' ') - 1) AS INTEGER)
            ELSE 0 END,
       0, NULL,
       -- Below a delegation (NS of a sub-name) the zone is not authoritative, except for
       -- the DS at the delegation point itself.
       NOT EXISTS (
           SELECT 1 FROM diagnosis_zonerecord n
            WHERE n.domain_id = r.domain_id AND n.type = 'NS' AND n.name <> '@'
              AND ((lower(r.name) = lower(n.name) AND r.type <> 'DS')
                   OR substr(lower(r.name), -(length(n.name) + 1)) = '.' || lower(n.name)))
  FROM diagnosis_zonerecord r
  JOIN mailservices_domain d ON d.id = r.domain_id
 WHERE d.source = 'registered';

CREATE VIEW IF NOT EXISTS cryptokeys AS
SELECT id, domain_id, flags, active, published, content FROM hosteddns_cryptokey;

CREATE VIEW IF NOT EXISTS domainmetadata AS
SELECT id, domain_id, kind, content FROM hosteddns_zonemetadata;
"""
)

# name -> statement; re-created by `ensure_sqlite_schema` when missing.
TRIGGERS = {
    "pdns_zone_record_added": """
CREATE TRIGGER IF NOT EXISTS pdns_zone_record_added AFTER INSERT ON diagnosis_zonerecord
BEGIN
    INSERT INTO pdns_zone_serials (domain_id, serial)
    VALUES (NEW.domain_id, CAST(strftime('%s', 'now') AS INTEGER))
    ON CONFLICT (domain_id) DO UPDATE SET serial = max(serial + 1, excluded.serial);
END""",
    "pdns_zone_record_changed": """
CREATE TRIGGER IF NOT EXISTS pdns_zone_record_changed AFTER UPDATE ON diagnosis_zonerecord
BEGIN
    INSERT INTO pdns_zone_serials (domain_id, serial)
    VALUES (OLD.domain_id, CAST(strftime('%s', 'now') AS INTEGER))
    ON CONFLICT (domain_id) DO UPDATE SET serial = max(serial + 1, excluded.serial);
    INSERT INTO pdns_zone_serials (domain_id, serial)
    SELECT NEW.domain_id, CAST(strftime('%s', 'now') AS INTEGER)
     WHERE NEW.domain_id <> OLD.domain_id
    ON CONFLICT (domain_id) DO UPDATE SET serial = max(serial + 1, excluded.serial);
END""",
    "pdns_zone_record_deleted": """
CREATE TRIGGER IF NOT EXISTS pdns_zone_record_deleted AFTER DELETE ON diagnosis_zonerecord
BEGIN
    INSERT INTO pdns_zone_serials (domain_id, serial)
    VALUES (OLD.domain_id, CAST(strftime('%s', 'now') AS INTEGER))
    ON CONFLICT (domain_id) DO UPDATE SET serial = max(serial + 1, excluded.serial);
END""",
    # PowerDNS (and pdnsutil) write keys and metadata through the views.
    "pdns_cryptokeys_insert": """
CREATE TRIGGER IF NOT EXISTS pdns_cryptokeys_insert INSTEAD OF INSERT ON cryptokeys
BEGIN
    INSERT INTO hosteddns_cryptokey (domain_id, flags, active, published, content, created_at)
    VALUES (NEW.domain_id, NEW.flags, coalesce(NEW.active, 1), coalesce(NEW.published, 1),
            NEW.content, strftime('%Y-%m-%d %H:%M:%f', 'now'));
END""",
    "pdns_cryptokeys_update": """
CREATE TRIGGER IF NOT EXISTS pdns_cryptokeys_update INSTEAD OF UPDATE ON cryptokeys
BEGIN
    UPDATE hosteddns_cryptokey
       SET flags = NEW.flags, active = NEW.active, published = NEW.published,
           content = NEW.content
     WHERE id = OLD.id;
END""",
    "pdns_cryptokeys_delete": """
CREATE TRIGGER IF NOT EXISTS pdns_cryptokeys_delete INSTEAD OF DELETE ON cryptokeys
BEGIN
    DELETE FROM hosteddns_cryptokey WHERE id = OLD.id;
END""",
    "pdns_domainmetadata_insert": """
CREATE TRIGGER IF NOT EXISTS pdns_domainmetadata_insert INSTEAD OF INSERT ON domainmetadata
BEGIN
    INSERT INTO hosteddns_zonemetadata (domain_id, kind, content)
    VALUES (NEW.domain_id, NEW.kind, coalesce(NEW.content, ''));
END""",
    "pdns_domainmetadata_update": """
CREATE TRIGGER IF NOT EXISTS pdns_domainmetadata_update INSTEAD OF UPDATE ON domainmetadata
BEGIN
    UPDATE hosteddns_zonemetadata SET kind = NEW.kind, content = coalesce(NEW.content, '')
     WHERE id = OLD.id;
END""",
    "pdns_domainmetadata_delete": """
CREATE TRIGGER IF NOT EXISTS pdns_domainmetadata_delete INSTEAD OF DELETE ON domainmetadata
BEGIN
    DELETE FROM hosteddns_zonemetadata WHERE id = OLD.id;
END""",
}

DROP = """
DROP TRIGGER IF EXISTS pdns_zone_record_added;
DROP TRIGGER IF EXISTS pdns_zone_record_changed;
DROP TRIGGER IF EXISTS pdns_zone_record_deleted;
DROP VIEW IF EXISTS domainmetadata;
DROP VIEW IF EXISTS cryptokeys;
DROP VIEW IF EXISTS records;
DROP VIEW IF EXISTS domains;
DROP TABLE IF EXISTS supermasters;
DROP TABLE IF EXISTS tsigkeys;
DROP TABLE IF EXISTS comments;
DROP TABLE IF EXISTS pdns_zone_serials;
"""


def _statements(sql: str) -> list[str]:
    """Statements of a script without triggers (those are run whole, one by one)."""
    return [part.strip() for part in sql.split(";\n") if part.strip()]


def create_schema(cursor) -> None:
    """Creates what is missing (idempotent): tables, views, triggers."""
    for statement in _statements(TABLES) + _statements(VIEWS):
        cursor.execute(statement)
    for statement in TRIGGERS.values():
        cursor.execute(statement)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        with schema_editor.connection.cursor() as cursor:
            create_schema(cursor)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        with schema_editor.connection.cursor() as cursor:
            for statement in _statements(DROP):
                cursor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("hosteddns", "0003_pdns_views_use_the_indexes"),
        ("provisioning", "0006_dkim_signing_view_ed25519"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
