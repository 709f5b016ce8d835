"""DNSSEC: the chain of trust as far as the diagnosis can see it.

For a zone we host, the DNSKEY set our name server signs with must match the DS record the
portal shows for the registry, and the DNSKEY and SOA signatures must validate. For an
external domain, the DS at the parent is the anchor: with one, DNSKEY and signatures must
match it (else validating resolvers reject every answer of the domain); without one,
DNSSEC is optional and only reported, as is the resolver's AD bit.
"""

from __future__ import annotations

import dns.dnssec
import dns.exception
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset
from django.utils.translation import gettext_noop as _  # msgids are translated on display

from mailservices.diagnosis.checks.base import (
    ERROR,
    OK,
    REMOVE,
    UNKNOWN,
    WARNING,
    CheckResult,
    Finding,
    ProviderFacts,
    Record,
    Text,
    ZoneFacts,
)
from mailservices.diagnosis.dns import ANSWER, AnswerSource, normalize_name, signed

NAME = "dnssec"
SEP = 0x0001  # DNSKEY flag: secure entry point (the key a DS points at)

VALID = "valid"
NO_DNSKEY = "no-dnskey"
DS_MISMATCH = "ds-mismatch"
BAD_SIGNATURE = "bad-signature"


def _rrsets(origin, lines, rdtype: str):
    """The records of `rdtype` among a signed lookup's lines, and the RRSIGs covering them."""
    values = [line.split(" ", 1)[1] for line in lines if line.startswith(rdtype + " ")]
    sigs = [
        line.split(" ", 1)[1]
        for line in lines
        if line.startswith("RRSIG ") and line.split()[1] == rdtype
    ]
    rrset = dns.rrset.from_text_list(origin, 300, "IN", rdtype, values) if values else None
    sigset = dns.rrset.from_text_list(origin, 300, "IN", "RRSIG", sigs) if sigs else None
    return rrset, sigset


def _ds(origin, text: str):
    try:
        return dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.DS, text, origin=origin)
    except (dns.exception.DNSException, ValueError):
        return None


def _matches(origin, key, ds) -> bool:
    try:
        return dns.dnssec.make_ds(origin, key, ds.digest_type) == ds
    except (dns.dnssec.UnsupportedAlgorithm, dns.exception.DNSException, ValueError):
        return False


def chain_state(domain: str, ds_texts, key_lines, soa_lines) -> str:
    """VALID, NO_DNSKEY, DS_MISMATCH or BAD_SIGNATURE for a zone whose DS records are
    `ds_texts`, from its signed DNSKEY and SOA lookups."""
    origin = dns.name.from_text(domain + ".")
    keys, key_sigs = _rrsets(origin, key_lines, "DNSKEY")
    if keys is None:
        return NO_DNSKEY
    anchors = [ds for ds in (_ds(origin, t) for t in ds_texts) if ds is not None]
    trusted = [k for k in keys if any(_matches(origin, k, ds) for ds in anchors)]
    if not trusted:
        return DS_MISMATCH
    soa, soa_sigs = _rrsets(origin, soa_lines, "SOA")
    try:
        if key_sigs is None or soa is None or soa_sigs is None:
            raise dns.dnssec.ValidationFailure("unsigned")
        anchor = dns.rrset.from_rdata_list(origin, 300, trusted)
        dns.dnssec.validate(keys, key_sigs, {origin: anchor})
        dns.dnssec.validate(soa, soa_sigs, {origin: keys})
    except (dns.dnssec.ValidationFailure, dns.exception.DNSException, ValueError):
        return BAD_SIGNATURE
    return VALID


def ds_for_keys(domain: str, key_lines) -> list[str]:
    """The DS records (SHA-256) of the zone's secure entry point keys, to hand to the
    registry."""
    origin = dns.name.from_text(domain + ".")
    keys, _sigs = _rrsets(origin, key_lines, "DNSKEY")
    out = []
    for key in keys or ():
        if key.flags & SEP:
            try:
                out.append(dns.dnssec.make_ds(origin, key, "SHA256").to_text().upper())
            except (dns.dnssec.UnsupportedAlgorithm, dns.exception.DNSException):
                continue
    return out


def evaluate_dnssec(
    domain: str, source: AnswerSource, provider: ProviderFacts, zone: ZoneFacts | None = None
) -> CheckResult:
    """`provider` is unused (DNSSEC is the zone's own); kept for the check signature."""
    domain = normalize_name(domain)
    # Plain questions first (the batch client's fast path); the signed ones only for a zone
    # with a DS to check against, so an unsigned domain costs two questions.
    parent_ds, plain_keys = source.lookup_many([(domain, "DS"), (domain, "DNSKEY")])
    if parent_ds.failed or plain_keys.failed:
        return _unknown()
    parent = list(parent_ds.records) if parent_ds.outcome == ANSWER else []
    found = [f"{domain} DS {r}" for r in parent]
    found += [f"{domain} DNSKEY {r}" for r in plain_keys.records]
    if (zone is not None and zone.ds_records) or (zone is None and parent):
        keys, soa = source.lookup_many([(domain, signed("DNSKEY")), (domain, signed("SOA"))])
        if keys.failed or soa.failed:
            return _unknown()
        key_lines, soa_lines = keys.records, soa.records
    else:
        key_lines = tuple(f"DNSKEY {r}" for r in plain_keys.records)
        soa_lines = ()
    if zone is not None:
        findings, records = _hosted(domain, zone, parent, key_lines, soa_lines)
    else:
        findings, records = _external(domain, parent, key_lines, soa_lines)
    if "AD" in key_lines or "AD" in soa_lines:
        findings.append(
            Finding(
                OK,
                Text(
                    _(
                        "Hinweis: Der Resolver, den die Prüfung fragt, hat die Antworten mit "
                        "DNSSEC geprüft und als echt bestätigt (AD-Bit)."
                    )
                ),
            )
        )
    return CheckResult.from_findings(NAME, findings, records, found)


def _unknown() -> CheckResult:
    return CheckResult.from_findings(
        NAME,
        [
            Finding(
                UNKNOWN,
                Text(
                    _(
                        "DNSSEC konnte nicht geprüft werden, weil der DNS-Server nicht "
                        "antwortete. Bitte versuchen Sie es später nochmals."
                    )
                ),
            )
        ],
    )


def _broken(state: str, hosted: bool) -> Finding:
    if state == NO_DNSKEY:
        text = (
            _(
                "Unser Name-Server liefert für die Zone keinen DNSKEY-Eintrag, obwohl ein "
                "DS-Eintrag dafür besteht. Wir beheben das; bis dahin lehnen prüfende "
                "Resolver die Antworten der Domain ab."
            )
            if hosted
            else _(
                "Bei der übergeordneten Zone steht ein DS-Eintrag, aber Ihre Zone hat keinen "
                "DNSKEY-Eintrag. Prüfende Resolver lehnen dann alle Antworten der Domain ab, "
                "auch die MX-Einträge. Signieren Sie die Zone wieder oder lassen Sie den "
                "DS-Eintrag bei der Registrierungsstelle entfernen."
            )
        )
    elif state == DS_MISMATCH:
        text = (
            _(
                "Der DNSKEY-Eintrag der Zone passt nicht zum DS-Eintrag, den wir der "
                "Registrierungsstelle übergeben. Wir beheben das."
            )
            if hosted
            else _(
                "Kein DNSKEY-Eintrag der Zone passt zum DS-Eintrag bei der übergeordneten "
                "Zone. Prüfende Resolver lehnen dann alle Antworten der Domain ab. Ersetzen "
                "Sie den DS-Eintrag bei der Registrierungsstelle durch den unten genannten."
            )
        )
    else:
        text = (
            _(
                "Die DNSSEC-Signaturen der Zone sind ungültig oder abgelaufen. Wir beheben "
                "das; bis dahin lehnen prüfende Resolver die Antworten der Domain ab."
            )
            if hosted
            else _(
                "Die DNSSEC-Signaturen Ihrer Zone (DNSKEY oder SOA) sind ungültig, fehlen "
                "oder sind abgelaufen. Prüfende Resolver lehnen dann alle Antworten der "
                "Domain ab. Lassen Sie die Zone bei Ihrem DNS-Anbieter neu signieren."
            )
        )
    return Finding(ERROR, Text(text))


def _hosted(domain, zone, parent, key_lines, soa_lines):
    records = [Record(domain, "DS", text, ttl=86400) for text in zone.ds_records]
    if not zone.ds_records:
        return [
            Finding(
                OK,
                Text(
                    _(
                        "Hinweis: Die Zone wird nicht mit DNSSEC signiert. E-Mail funktioniert "
                        "trotzdem; DNSSEC schützt zusätzlich vor gefälschten DNS-Antworten."
                    )
                ),
            )
        ], []
    state = chain_state(domain, zone.ds_records, key_lines, soa_lines)
    if state != VALID:
        return [_broken(state, hosted=True)], records
    findings = [
        Finding(
            OK,
            Text(
                _(
                    "Die Zone ist mit DNSSEC signiert: DNSKEY und Signaturen passen zum "
                    "DS-Eintrag unten, den wir der Registrierungsstelle übergeben."
                )
            ),
        )
    ]
    wanted = {_ds(dns.name.from_text(domain + "."), t) for t in zone.ds_records}
    if parent and not wanted & {_ds(dns.name.from_text(domain + "."), t) for t in parent}:
        findings.append(
            Finding(
                WARNING,
                Text(
                    _(
                        "Bei der übergeordneten Zone steht ein anderer DS-Eintrag als der "
                        "unten genannte. Wir veranlassen die Korrektur bei der "
                        "Registrierungsstelle."
                    )
                ),
            )
        )
    return findings, records


def _external(domain, parent, key_lines, soa_lines):
    if parent:
        state = chain_state(domain, parent, key_lines, soa_lines)
        if state == VALID:
            return [
                Finding(
                    OK,
                    Text(
                        _(
                            "Die Zone ist mit DNSSEC signiert und die Kette stimmt: der "
                            "DS-Eintrag bei der übergeordneten Zone passt zu DNSKEY und "
                            "Signaturen."
                        )
                    ),
                )
            ], []
        replacements = ds_for_keys(domain, key_lines) if state == DS_MISMATCH else []
        records = [Record(domain, "DS", text, ttl=86400) for text in replacements]
        records += [Record(domain, "DS", text, ttl=86400, action=REMOVE) for text in parent]
        return [_broken(state, hosted=False)], records
    if any(line.startswith("DNSKEY ") for line in key_lines):
        records = [Record(domain, "DS", t, ttl=86400) for t in ds_for_keys(domain, key_lines)]
        return [
            Finding(
                OK,
                Text(
                    _(
                        "Hinweis: Ihre Zone hat DNSKEY-Einträge, aber bei der übergeordneten "
                        "Zone steht kein DS-Eintrag: DNSSEC ist so nicht wirksam (optional). "
                        "Um es einzuschalten, geben Sie den DS-Eintrag unten bei Ihrer "
                        "Registrierungsstelle ein."
                    )
                ),
            )
        ], records
    return [
        Finding(
            OK,
            Text(
                _(
                    "Hinweis: Die Zone ist nicht mit DNSSEC signiert (optional). E-Mail "
                    "funktioniert trotzdem; DNSSEC schützt zusätzlich vor gefälschten "
                    "DNS-Antworten und ist Voraussetzung für DANE."
                )
            ),
        )
    ], []
