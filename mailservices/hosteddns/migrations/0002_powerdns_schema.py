"""The `pdns` schema PowerDNS's gpgsql backend reads (PostgreSQL only).

The portal owns the data: `pdns.domains` and `pdns.records` are views over the portal's
domains (those registered with us), its zone records and the zone defaults (SOA, NS);
`pdns.cryptokeys` and `pdns.domainmetadata` are views over the portal's DNSSEC tables
(simple views, so PowerDNS's own tools can still write through them); `comments`,
`tsigkeys` and `supermasters` are PowerDNS's tables, unused by the portal.

The SOA serial rises on every change: a trigger on the zone records bumps
`pdns.zone_serials` (max(serial + 1, now as Unix time)), whoever writes the row (editor,
services, admin, a script). The SOA of a zone never changed yet carries its creation time (minus one second, so that
the first change in the same second still raises it).

MX and SRV keep their priority in PowerDNS's `prio` column. TXT values are stored unquoted; `pdns.txt_content()` quotes them and splits them into
character-strings of at most 255 bytes, as PowerDNS expects its content.
The name server reaches the schema through `search_path=pdns` (written by
`dnsserver_config`); the lookups by name are its own queries there, which go to the zone
through `pdns.zone_ids()` (an index lookup per suffix of the name) instead of scanning.
"""

from django.db import migrations

SQL = r"""
CREATE SCHEMA IF NOT EXISTS pdns;

CREATE TABLE pdns.zone_serials (
    domain_id bigint PRIMARY KEY,
    serial bigint NOT NULL
);

CREATE FUNCTION pdns.zone_serial_bump(zone bigint) RETURNS void LANGUAGE sql AS $$
    INSERT INTO pdns.zone_serials AS z (domain_id, serial)
    VALUES (zone, extract(epoch FROM clock_timestamp())::bigint)
    ON CONFLICT (domain_id) DO UPDATE SET serial = GREATEST(z.serial + 1, EXCLUDED.serial)
$$;

CREATE FUNCTION pdns.zone_record_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM pdns.zone_serial_bump(OLD.domain_id);
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.domain_id <> OLD.domain_id) THEN
        PERFORM pdns.zone_serial_bump(NEW.domain_id);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER zone_record_serial
    AFTER INSERT OR UPDATE OR DELETE ON diagnosis_zonerecord
    FOR EACH ROW EXECUTE FUNCTION pdns.zone_record_changed();

-- "value" as PowerDNS TXT content: quoted strings of at most 255 bytes each.
CREATE FUNCTION pdns.txt_content(value text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
    result text := '';
    chunk text := '';
    chunk_bytes integer := 0;
    ch text;
    n integer;
BEGIN
    FOR i IN 1..length(value) LOOP
        ch := substr(value, i, 1);
        n := octet_length(ch);
        IF chunk_bytes + n > 255 THEN
            result := result || '"' || chunk || '" ';
            chunk := '';
            chunk_bytes := 0;
        END IF;
        IF ch = '"' OR ch = E'\\' THEN
            chunk := chunk || E'\\' || ch;
        ELSE
            chunk := chunk || ch;
        END IF;
        chunk_bytes := chunk_bytes + n;
    END LOOP;
    RETURN result || '"' || chunk || '"';
END
$$;

-- The name and all its parent names: 'a.b.ch' -> {a.b.ch, b.ch, ch}.
CREATE FUNCTION pdns.suffixes(qname text) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT array_agg(array_to_string(labels[i:], '.'))
      FROM (SELECT string_to_array(lower(qname), '.') AS labels) l,
           generate_series(1, array_length(labels, 1)) AS i
$$;

-- The hosted zones a name can belong to (index lookups on the unique domain name).
CREATE FUNCTION pdns.zone_ids(qname text) RETURNS integer[]
    LANGUAGE sql STABLE STRICT SET search_path FROM CURRENT AS $$
    SELECT coalesce(array_agg(d.id::integer), '{}')
      FROM mailservices_domain d
     WHERE d.name = ANY(pdns.suffixes(qname)) AND d.source = 'registered'
$$;

CREATE VIEW pdns.domains AS
SELECT d.id::integer AS id,
       d.name::varchar(255) AS name,
       NULL::varchar(128) AS master,
       NULL::integer AS last_check,
       'NATIVE'::text AS type,
       NULL::bigint AS notified_serial,
       NULL::varchar(40) AS account,
       NULL::text AS options,
       NULL::text AS catalog
  FROM mailservices_domain d
 WHERE d.source = 'registered';

CREATE VIEW pdns.records AS
SELECT d.id::integer AS domain_id,
       d.name::varchar(255) AS name,
       'SOA'::varchar(10) AS type,
       (rtrim(s.nameservers_first, '.') || ' ' || rtrim(s.hostmaster, '.') || ' '
        || coalesce(z.serial, extract(epoch FROM d.created_at)::bigint - 1) || ' '
        || s.refresh || ' ' || s.retry || ' ' || s.expire || ' ' || s.minimum)::text AS content,
       s.ttl::integer AS ttl,
       0 AS prio,
       false AS disabled,
       NULL::varchar(255) AS ordername,
       true AS auth
  FROM mailservices_domain d
 CROSS JOIN (SELECT split_part(nameservers, ' ', 1) AS nameservers_first, *
               FROM hosteddns_zonedefaults) s
  LEFT JOIN pdns.zone_serials z ON z.domain_id = d.id
 WHERE d.source = 'registered'
UNION ALL
SELECT d.id::integer, d.name::varchar(255), 'NS'::varchar(10), rtrim(ns.host, '.')::text,
       s.ttl::integer, 0, false, NULL::varchar(255), true
  FROM mailservices_domain d
 CROSS JOIN hosteddns_zonedefaults s
 CROSS JOIN LATERAL unnest(string_to_array(s.nameservers, ' ')) AS ns(host)
 WHERE d.source = 'registered'
UNION ALL
SELECT r.domain_id::integer,
       (CASE WHEN r.name = '@' THEN d.name ELSE lower(r.name) || '.' || d.name END)::varchar(255),
       r.type::varchar(10),
       (CASE WHEN r.type = 'TXT' THEN pdns.txt_content(r.value)
             -- PowerDNS keeps the priority of MX and SRV in its own column.
             WHEN r.type IN ('MX', 'SRV')
                 THEN rtrim(substr(btrim(r.value), strpos(btrim(r.value), ' ') + 1), '.')
             -- Names in content without the final dot, as PowerDNS writes them itself.
             WHEN r.type IN ('CNAME', 'NS') THEN rtrim(btrim(r.value), '.')
             ELSE btrim(r.value) END)::text,
       r.ttl::integer,
       (CASE WHEN r.type IN ('MX', 'SRV') THEN split_part(btrim(r.value), ' ', 1)::integer
             ELSE 0 END),
       false, NULL::varchar(255),
       -- Below a delegation (NS of a sub-name) the zone is not authoritative, except for
       -- the DS at the delegation point itself.
       NOT EXISTS (
           SELECT 1 FROM diagnosis_zonerecord n
            WHERE n.domain_id = r.domain_id AND n.type = 'NS' AND n.name <> '@'
              AND ((lower(r.name) = lower(n.name) AND r.type <> 'DS')
                   OR right(lower(r.name), length(n.name) + 1) = '.' || lower(n.name)))
  FROM diagnosis_zonerecord r
  JOIN mailservices_domain d ON d.id = r.domain_id
 WHERE d.source = 'registered';

CREATE VIEW pdns.cryptokeys AS
SELECT id::integer AS id, domain_id::integer AS domain_id, flags::integer AS flags,
       active, published, content
  FROM hosteddns_cryptokey;

CREATE VIEW pdns.domainmetadata AS
SELECT id::integer AS id, domain_id::integer AS domain_id, kind, content
  FROM hosteddns_zonemetadata;

CREATE TABLE pdns.comments (
    id SERIAL PRIMARY KEY,
    domain_id integer NOT NULL,
    name varchar(255) NOT NULL,
    type varchar(10) NOT NULL,
    modified_at integer NOT NULL,
    account varchar(40) DEFAULT NULL,
    comment varchar(65535) NOT NULL
);

CREATE TABLE pdns.tsigkeys (
    id SERIAL PRIMARY KEY,
    name varchar(255),
    algorithm varchar(50),
    secret varchar(255)
);
CREATE UNIQUE INDEX namealgoindex ON pdns.tsigkeys(name, algorithm);

CREATE TABLE pdns.supermasters (
    ip inet NOT NULL,
    nameserver varchar(255) NOT NULL,
    account varchar(40) NOT NULL,
    PRIMARY KEY (ip, nameserver)
);
"""

DROP = """
DROP TRIGGER IF EXISTS zone_record_serial ON diagnosis_zonerecord;
DROP SCHEMA IF EXISTS pdns CASCADE;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SQL)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("hosteddns", "0001_zone_defaults_and_dnssec_keys"),
        ("diagnosis", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
