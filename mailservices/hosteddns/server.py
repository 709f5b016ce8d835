"""Renders the `pdns.conf` that makes PowerDNS serve the portal's hosted zones.

`render(layout)` returns the text; `manage.py dnsserver_config --out DIR` writes it for
production and the test harness writes it (with its own port and directory) to run a real
PowerDNS. Both use the same text.

Nothing is cached: the packet, query and negative caches, the zone cache and the metadata
and key caches are off, so an edit in the portal is the name server's next answer. The
lookups by name are overridden to find the zone through `pdns.zone_id()` (see the
migrations `0002_powerdns_schema` and `0003_pdns_views_use_the_indexes`); every other
query is PowerDNS's default, reading the `pdns` schema through `search_path`.

On SQLite (`make run`'s embedded database) PowerDNS's gsqlite3 backend reads the portal's
file: the views of migration `0004_sqlite_powerdns_schema`, with its default queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mailservices.mailstack.config import ConfigError, Database

__all__ = ["ConfigError", "Database", "Layout", "parse_listen", "render", "write"]

# PowerDNS's own queries, plus "the zone of this name" as an index lookup.
QUERIES = {
    "basic-query": (
        "SELECT content,ttl,prio,type,domain_id,disabled::int,name,auth::int FROM records "
        "WHERE disabled=false AND type=$1 AND name=$2 AND domain_id = (SELECT zone_id($2))"
    ),
    "any-query": (
        "SELECT content,ttl,prio,type,domain_id,disabled::int,name,auth::int FROM records "
        "WHERE disabled=false AND name=$1 AND domain_id = (SELECT zone_id($1))"
    ),
}


def parse_listen(value: str) -> tuple[str, int]:
    """`HOST:PORT`, `HOST` (port 53) or `[IPv6]:PORT`."""
    value = value.strip()
    if value.startswith("["):
        host, _sep, rest = value[1:].partition("]")
        port = rest.lstrip(":") or "53"
    elif value.count(":") == 1:
        host, port = value.split(":")
    else:
        host, port = value, "53"
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"--listen wants HOST:PORT, not {value!r}")
    return host, int(port)


@dataclass(frozen=True)
class Layout:
    database: Database
    listen_address: str = "127.0.0.1"
    listen_port: int = 53
    socket_dir: str = "/run/pdns"
    webserver: bool = False
    distributor_threads: int = 8


def _quote_option(value: str) -> str:
    """A libpq connection-string value."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _backend_lines(db: Database) -> list[str]:
    """gpgsql on PostgreSQL (schema `pdns`), gsqlite3 on the portal's SQLite file."""
    if db.driver == "sqlite":
        # The views of migration 0004 live in the file's main schema under PowerDNS's own
        # names, so its default queries are used as they are. WAL as the portal itself.
        return [
            "launch=gsqlite3",
            f"gsqlite3-database={db.name}",
            "gsqlite3-dnssec=yes",
            "gsqlite3-pragma-journal-mode=WAL",
        ]
    if db.driver != "pgsql":
        raise ConfigError(f"PowerDNS reads PostgreSQL or SQLite, not {db.driver}.")
    return [
        "launch=gpgsql",
        f"gpgsql-host={db.host}",
        f"gpgsql-port={db.port}",
        f"gpgsql-dbname={db.name}",
        f"gpgsql-user={db.user}",
        f"gpgsql-password={db.password}",
        "gpgsql-dnssec=yes",
        # Generic plans: the views are costly to plan and the lookups are index scans.
        "gpgsql-extra-connection-parameters=options="
        + _quote_option("-c search_path=pdns -c plan_cache_mode=force_generic_plan"),
        *(f"gpgsql-{name}={sql}" for name, sql in QUERIES.items()),
    ]


def render(layout: Layout) -> str:
    lines = [
        "# Written by `manage.py dnsserver_config`: PowerDNS serving the portal's hosted zones.",
        "# The portal's database is the zone data; nothing here needs editing per zone.",
        *_backend_lines(layout.database),
        "",
        "# Answer every change at once: no caches at all.",
        "cache-ttl=0",
        "query-cache-ttl=0",
        "negquery-cache-ttl=0",
        "zone-cache-refresh-interval=0",
        "zone-metadata-cache-ttl=0",
        "dnssec-key-cache-ttl=0",
        "consistent-backends=yes",
        "",
        # Each distributor thread has its own database connection: answers wait on SQL,
        # so more threads than cores keep more questions in flight.
        f"distributor-threads={layout.distributor_threads}",
        f"local-address={layout.listen_address}",
        f"local-port={layout.listen_port}",
        f"socket-dir={layout.socket_dir}",
        "primary=no",
        "secondary=no",
        "disable-axfr=yes",
        "version-string=anonymous",
        "daemon=no",
        "guardian=no",
        "write-pid=no",
        "loglevel=4",
        "",
    ]
    return "\n".join(lines)


def write(text: str, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "pdns.conf"
    path.write_text(text, encoding="utf-8")
    path.chmod(0o640)  # holds the database password
    return path
