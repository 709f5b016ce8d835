"""DNSSEC keys of hosted zones: made here, stored in PowerDNS's format, DS derived from them.

PowerDNS signs live with the key (a CSK: flags 257, ECDSA P-256, algorithm 13) it reads
from `pdns.cryptokeys`; the portal derives the DNSKEY and the DS record to hand to the
registry from the same row, without asking the name server.
"""

from __future__ import annotations

import base64

import dns.dnssec
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
from cryptography.hazmat.primitives.asymmetric import ec

ALGORITHM = 13  # ECDSAP256SHA256
CSK_FLAGS = 257  # zone key + secure entry point: one key signs everything
# NSEC3 without extra iterations or salt (RFC 9276), narrow: PowerDNS hashes on the fly,
# so the zone needs no rectify (the records are a view).
NSEC3PARAM = "1 0 0 -"


def generate_key_content() -> str:
    """A new private key in PowerDNS's (BIND's) private-key format."""
    private = ec.generate_private_key(ec.SECP256R1())
    scalar = private.private_numbers().private_value.to_bytes(32, "big")
    return (
        "Private-key-format: v1.2\n"
        f"Algorithm: {ALGORITHM} (ECDSAP256SHA256)\n"
        f"PrivateKey: {base64.b64encode(scalar).decode()}\n"
    )


def _private_key(content: str) -> ec.EllipticCurvePrivateKey:
    fields = dict(line.split(":", 1) for line in content.strip().splitlines() if ":" in line)
    if int(fields["Algorithm"].split()[0]) != ALGORITHM:
        raise ValueError("only ECDSAP256SHA256 keys are made by the portal")
    scalar = int.from_bytes(base64.b64decode(fields["PrivateKey"].strip()), "big")
    return ec.derive_private_key(scalar, ec.SECP256R1())


def dnskey(content: str, flags: int = CSK_FLAGS) -> dns.rdata.Rdata:
    """The DNSKEY record PowerDNS publishes for this key."""
    numbers = _private_key(content).public_key().public_numbers()
    public = numbers.x.to_bytes(32, "big") + numbers.y.to_bytes(32, "big")
    text = f"{flags} 3 {ALGORITHM} {base64.b64encode(public).decode()}"
    return dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.DNSKEY, text)


def ds_record(zone: str, content: str, flags: int = CSK_FLAGS) -> str:
    """The DS record (SHA-256) for the registry, e.g. `12345 13 2 ABCD…`."""
    origin = dns.name.from_text(zone)
    return dns.dnssec.make_ds(origin, dnskey(content, flags), "SHA256").to_text().upper()


def key_tag(content: str, flags: int = CSK_FLAGS) -> int:
    return dns.dnssec.key_id(dnskey(content, flags))


def check_chain(zone: str, query, ds_texts: list[str]) -> tuple[str, str]:
    """The DNSSEC chain as far as we can see it: the zone's DNSKEY set must match one of
    `ds_texts` (the DS at the parent, or the one the portal hands to the registry) and be
    signed by that key, and the SOA must validate. `query(name, rdtype)` returns a
    dnspython response asked with the DO bit. Returns (status, reason)."""
    import dns.rdataclass
    import dns.rdatatype
    import dns.rrset

    origin = dns.name.from_text(zone)
    if not ds_texts:
        return "warning", "no-ds"
    try:
        response = query(zone, "DNSKEY")
        keys = response.find_rrset(response.answer, origin, dns.rdataclass.IN, dns.rdatatype.DNSKEY)
        key_sig = response.find_rrset(
            response.answer, origin, dns.rdataclass.IN, dns.rdatatype.RRSIG, dns.rdatatype.DNSKEY
        )
    except KeyError:
        return "error", "no-dnskey"
    except Exception:  # noqa: BLE001 - timeouts and the like: we could not find out
        return "unknown", "dns-failure"
    ds_set = [dns.rrset.from_text(origin, 3600, "IN", "DS", text)[0] for text in ds_texts]
    if not any(dns.dnssec.make_ds(origin, k, ds.digest_type) == ds for k in keys for ds in ds_set):
        return "error", "ds-mismatch"
    try:
        dns.dnssec.validate(keys, key_sig, {origin: keys})
        soa = query(zone, "SOA")
        soa_set = soa.find_rrset(soa.answer, origin, dns.rdataclass.IN, dns.rdatatype.SOA)
        soa_sig = soa.find_rrset(
            soa.answer, origin, dns.rdataclass.IN, dns.rdatatype.RRSIG, dns.rdatatype.SOA
        )
        dns.dnssec.validate(soa_set, soa_sig, {origin: keys})
    except (KeyError, dns.dnssec.ValidationFailure):
        return "error", "bad-signature"
    except Exception:  # noqa: BLE001
        return "unknown", "dns-failure"
    return "ok", "valid"
