"""The pdns views without casting the domain ids to integer: the cast hid the zone
records' domain index from the planner, so a lookup by name ran `zone_ids()` for every row
(bench/dns_serve.py: 149 queries/s on 300 zones). With bigint ids the lookup is an index
scan per suffix of the name and on the zone's records. Same columns otherwise.

`pdns.zone_id()` names the one zone of a name; the queries of `dnsserver_config` compare
with `(SELECT zone_id($2))`, evaluated once per query instead of once per row."""

from django.db import migrations

SQL = r"""
DROP VIEW pdns.records;
DROP VIEW pdns.domains;
DROP FUNCTION pdns.zone_ids(text);

CREATE FUNCTION pdns.zone_ids(qname text) RETURNS bigint[]
    LANGUAGE sql STABLE STRICT SET search_path FROM CURRENT AS $$
    SELECT coalesce(array_agg(d.id), '{}')
      FROM mailservices_domain d
     WHERE d.name = ANY(pdns.suffixes(qname)) AND d.source = 'registered'
$$;

-- The zone a name belongs to: the longest hosted domain that is the name or a parent.
CREATE FUNCTION pdns.zone_id(qname text) RETURNS bigint
    LANGUAGE sql STABLE STRICT SET search_path FROM CURRENT AS $$
    SELECT d.id
      FROM mailservices_domain d
     WHERE d.name = ANY(pdns.suffixes(qname)) AND d.source = 'registered'
     ORDER BY length(d.name) DESC
     LIMIT 1
$$;

CREATE VIEW pdns.domains AS
SELECT d.id AS id,
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
SELECT d.id AS domain_id,
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
SELECT d.id, d.name::varchar(255), 'NS'::varchar(10), rtrim(ns.host, '.')::text,
       s.ttl::integer, 0, false, NULL::varchar(255), true
  FROM mailservices_domain d
 CROSS JOIN hosteddns_zonedefaults s
 CROSS JOIN LATERAL unnest(string_to_array(s.nameservers, ' ')) AS ns(host)
 WHERE d.source = 'registered'
UNION ALL
SELECT r.domain_id,
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

"""

OLD = r"""
DROP VIEW pdns.records;
DROP VIEW pdns.domains;
DROP FUNCTION pdns.zone_ids(text);
DROP FUNCTION pdns.zone_id(text);
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SQL)


def restore(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        from importlib import import_module

        previous = import_module("mailservices.hosteddns.migrations.0002_powerdns_schema")
        sql = previous.SQL
        start = sql.index("CREATE FUNCTION pdns.zone_ids")
        end = sql.index("CREATE VIEW pdns.cryptokeys")
        schema_editor.execute(OLD + sql[start:end])


class Migration(migrations.Migration):
    dependencies = [("hosteddns", "0002_powerdns_schema")]

    operations = [migrations.RunPython(create, restore, elidable=False)]
