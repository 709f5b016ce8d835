"""The DNS zone of a domain registered through us, in BIND (RFC 1035 master file) format.

Built as text, then read back with dnspython before it is handed out, so an export is
always a zone a name server will load.
"""

from __future__ import annotations

import dns.zone

from mailservices.diagnosis.checks import ProviderFacts, Record
from mailservices.diagnosis.checks import autoconfig as autoconfig_check
from mailservices.diagnosis.checks import dav as dav_check
from mailservices.diagnosis.checks import mx as mx_check
from mailservices.diagnosis.checks.dkim import dkim_name, dkim_value
from mailservices.diagnosis.checks.dmarc import suggest_record as dmarc_record
from mailservices.diagnosis.checks.spf import suggest_record as spf_record
from mailservices.diagnosis.dns import is_ip_literal, normalize_name, txt_quote
from mailservices.hosteddns import mtasts
from mailservices.hosteddns.app_settings import app_settings

DEFAULT_TTL = 3600


def mail_records(
    domain: str,
    provider: ProviderFacts,
    dkim_public_key: str | None,
    spf_existing=(),
    dkim_ed25519_key: str | None = None,
) -> list[Record]:
    """Every record mail needs at `domain`: MX, SPF, DKIM, DMARC, client set-up, MTA-STS,
    TLS-RPT, and the calendar/contacts SRV records where the DAV server has a public name."""
    domain = normalize_name(domain)
    records = mx_check.expected_records(domain, provider)
    records.append(Record(domain, "TXT", spf_record(list(spf_existing), provider)))
    if dkim_public_key:
        records.append(
            Record(dkim_name(domain, provider.dkim_selector), "TXT", dkim_value(dkim_public_key))
        )
    if dkim_public_key and dkim_ed25519_key:
        records.append(
            Record(
                dkim_name(domain, provider.dkim_selector + "e"),
                "TXT",
                f"v=DKIM1; k=ed25519; p={dkim_ed25519_key}",
            )
        )
    records.append(Record(f"_dmarc.{domain}", "TXT", dmarc_record()))
    records += autoconfig_check.expected_records(domain, provider)
    records += mta_sts_records(domain, provider.mx_hosts)
    records += dav_records(domain)
    return records


def dav_records(domain: str) -> list[Record]:
    """`_caldavs._tcp`/`_carddavs._tcp` SRV and TXT (RFC 6764) pointing at our DAV server, so
    calendar and contacts programs find it from the address alone. Only for a server reached
    over https at a host name: an SRV record cannot name an address, and `_caldavs` means TLS.
    """
    from mailservices.dav.app_settings import app_settings as dav_settings

    server = dav_check.DavServer.from_settings()
    if not dav_settings.PUBLIC_URL.startswith("https://") or not server.host:
        return []
    if is_ip_literal(server.host):
        return []
    return dav_check.expected_records(domain, server)


def mta_sts_records(domain: str, mx_hosts) -> list[Record]:
    """MTA-STS (policy host and id) and TLS-RPT for `domain` whose mail goes to `mx_hosts`."""
    domain = normalize_name(domain)
    policy = mtasts.policy_text(
        mx_hosts, mode=app_settings.MTA_STS_MODE, max_age=app_settings.MTA_STS_MAX_AGE
    )
    return [
        Record(f"mta-sts.{domain}", "CNAME", normalize_name(app_settings.MTA_STS_HOST) + "."),
        Record(f"_mta-sts.{domain}", "TXT", mtasts.sts_record_value(policy)),
        Record(f"_smtp._tls.{domain}", "TXT", mtasts.tlsrpt_record_value(app_settings.TLSRPT_RUA)),
    ]


def relative_name(name: str, domain: str) -> str:
    name, domain = normalize_name(name), normalize_name(domain)
    if name == domain:
        return "@"
    if name.endswith("." + domain):
        return name[: -len(domain) - 1]
    raise ValueError(f"{name} is not inside {domain}")


def render_zone(
    domain: str,
    records: list[tuple[str, str, int, str]],
    *,
    nameservers: list[str],
    serial: int,
    hostmaster: str,
) -> str:
    """A complete zone: $ORIGIN, $TTL, SOA, NS, then `(name, type, ttl, value)` rows."""
    domain = normalize_name(domain)
    mname = normalize_name(nameservers[0]) + "."
    rname = normalize_name(hostmaster.replace("@", ".", 1)) + "."
    lines = [
        f"$ORIGIN {domain}.",
        f"$TTL {DEFAULT_TTL}",
        f"@ {DEFAULT_TTL} IN SOA {mname} {rname} {serial} 3600 900 1209600 300",
    ]
    lines += [f"@ {DEFAULT_TTL} IN NS {normalize_name(ns)}." for ns in nameservers]
    for name, rdtype, ttl, value in records:
        shown = txt_quote(value) if rdtype == "TXT" else value
        lines.append(f"{name} {ttl} IN {rdtype} {shown}")
    text = "\n".join(lines) + "\n"
    # Raises dns.exception.SyntaxError for a record a name server would refuse.
    dns.zone.from_text(text, origin=domain + ".", relativize=False, check_origin=True)
    return text


def render_fragment(domain: str, records: list[Record]) -> str:
    """Records to add to a zone kept elsewhere (external registrar), with absolute names."""
    lines = [f"; {normalize_name(domain)}: records for mail"]
    lines += [r.zone_line for r in records]
    return "\n".join(lines) + "\n"
