"""Writes the MTA-STS, DANE and DNSSEC zones of the corpus (run once; the files are kept).

`python -m tests.diagnosis.make_corpus_zones` rewrites them: the DNSSEC zones are signed
with new keys (signatures valid until 2036, one zone's already expired) and the DS records
of `test.zone` are replaced. Each zone is good.test's set-up plus what it is about.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import dns.dnssec
import dns.name
import dns.rdataclass
import dns.zone
from cryptography.hazmat.primitives.asymmetric import ec

ZONES = Path(__file__).parent / "zones"
BASE = (ZONES / "good.test.zone").read_text().split("$ORIGIN", 1)[1].split("\n", 1)[1]
EXPECT = "mx=ok spf=ok dkim=ok dmarc=ok autoconfig=ok dav=ok"
GOOD_STS = '_mta-sts TXT "v=STSv1; id=20261206a"\n_smtp._tls TXT "v=TLSRPTv1; rua=mailto:tls@{d}"\n'
POLICY_HOST = "mta-sts A 127.0.0.1\n"
HEX64 = "8cb0fc6c527506a053f4f14c8464bebbd6dede2738d11468dd953d7d6a3021f1"  # matches nothing


def _smtp_digests() -> tuple[str, str]:
    """SHA-256 of the test SMTP server's public key info and of its whole certificate."""
    import hashlib

    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    cert = x509.load_pem_x509_certificate((ZONES / "smtp-test.pem").read_bytes())
    spki = cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return (
        hashlib.sha256(spki).hexdigest(),
        hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest(),
    )


SPKI, CERT = _smtp_digests()
RELAYS = "relay1 A 127.0.0.1\nrelay2 A 127.0.0.1\n"

# name: (description, mta_sts, dnssec, says, extra records, base expectations)
ZONE_CASES = {
    "mta-sts-good.test": (
        "MTA-STS enforce, policy covers both MX, TLS-RPT",
        "ok",
        "ok",
        "mta_sts=MTA-STS ist eingerichtet",
        POLICY_HOST + GOOD_STS,
    ),
    "mta-sts-uncovered.test": (
        "MTA-STS enforce, the policy lacks mx2",
        "error",
        "ok",
        "mta_sts=nennt die MX-Server mx2.alpenpost.example nicht",
        POLICY_HOST + GOOD_STS,
    ),
    "mta-sts-testing.test": (
        "MTA-STS testing, the policy lacks mx2",
        "warning",
        "ok",
        "mta_sts=Modus «testing»",
        POLICY_HOST + GOOD_STS,
    ),
    "mta-sts-invalid-policy.test": (
        "policy without max_age",
        "error",
        "ok",
        "mta_sts=max_age: 0-31557600",
        POLICY_HOST + GOOD_STS,
    ),
    "mta-sts-short-max-age.test": (
        "policy max_age one hour",
        "warning",
        "ok",
        "mta_sts=kürzer als ein Tag",
        POLICY_HOST + GOOD_STS,
    ),
    "mta-sts-wrong-cert.test": (
        "the policy host's certificate names other hosts",
        "error",
        "ok",
        "mta_sts=Zertifikat",
        POLICY_HOST + GOOD_STS,
    ),
    "mta-sts-not-found.test": (
        "the policy host answers 404",
        "error",
        "ok",
        "mta_sts=HTTP 404",
        POLICY_HOST + GOOD_STS,
    ),
    "mta-sts-html.test": (
        "policy served as text/html",
        "warning",
        "ok",
        "mta_sts=text/html",
        POLICY_HOST + GOOD_STS,
    ),
    "mta-sts-no-address.test": (
        "_mta-sts published, mta-sts host has no address",
        "error",
        "ok",
        "mta_sts=no A/AAAA",
        GOOD_STS,
    ),
    "mta-sts-bad-record.test": (
        "_mta-sts id with a dash",
        "error",
        "ok",
        "mta_sts=«id=» aus 1 bis 32",
        POLICY_HOST + '_mta-sts TXT "v=STSv1; id=2026-12-06"\n',
    ),
    "mta-sts-two-records.test": (
        "two _mta-sts records",
        "error",
        "ok",
        "mta_sts=2 MTA-STS-Einträge",
        POLICY_HOST + GOOD_STS + '_mta-sts TXT "v=STSv1; id=b2"\n',
    ),
    "tlsrpt-invalid.test": (
        "TLS-RPT without mailto:",
        "warning",
        "ok",
        "mta_sts=für TLS-Berichte ist ungültig",
        POLICY_HOST + '_mta-sts TXT "v=STSv1; id=20261206a"\n'
        '_smtp._tls TXT "v=TLSRPTv1; rua=tls@example.org"\n',
    ),
    "tlsa-good.test": (
        "DANE: 3 1 1 matching the MX certificate, 2 1 1 beside it (MX not ours)",
        "ok",
        "ok",
        "mta_sts=passen zu ihren TLSA-Einträgen",
        RELAYS + f"_25._tcp.relay1 TLSA 3 1 1 {SPKI}\n_25._tcp.relay1 TLSA 3 0 1 {CERT}\n"
        f"_25._tcp.relay2 TLSA 3 1 1 {SPKI}\n_25._tcp.relay2 TLSA 2 1 1 {HEX64}\n",
    ),
    "tlsa-mismatch.test": (
        "DANE: 3 1 1 for a certificate the MX host no longer shows",
        "error",
        "ok",
        "mta_sts=passt zum Zertifikat, das relay1.tlsa-mismatch.test zeigt",
        RELAYS + f"_25._tcp.relay1 TLSA 3 1 1 {HEX64}\n_25._tcp.relay2 TLSA 3 1 1 {SPKI}\n",
    ),
    "tlsa-bad.test": (
        "TLSA with usage 4 (there is none)",
        "error",
        "ok",
        "mta_sts=TLSA-Eintrag unter",
        RELAYS + f"_25._tcp.relay1 TLSA 4 1 1 {SPKI}\n_25._tcp.relay2 TLSA 3 1 1 {SPKI}\n",
    ),
    "tlsa-usage.test": (
        "TLSA with PKIX usage 1 only",
        "warning",
        "ok",
        "mta_sts=RFC 7672",
        RELAYS + f"_25._tcp.relay1 TLSA 1 1 1 {SPKI}\n_25._tcp.relay2 TLSA 3 1 1 {SPKI}\n",
    ),
    "tlsa-partial.test": (
        "TLSA on one of two MX hosts",
        "warning",
        "ok",
        "mta_sts=Nur einige MX-Server",
        RELAYS + f"_25._tcp.relay1 TLSA 3 1 1 {SPKI}\n",
    ),
    "dnssec-signed.test": (
        "signed zone, DS at the parent matches",
        "ok",
        "ok",
        "dnssec=die Kette stimmt",
        "",
    ),
    "dnssec-no-ds.test": (
        "signed zone, no DS at the parent (optional)",
        "ok",
        "ok",
        "dnssec=nicht wirksam",
        "",
    ),
    "dnssec-ds-mismatch.test": (
        "DS at the parent for another key",
        "ok",
        "error",
        "dnssec=passt zum DS-Eintrag",
        "",
    ),
    "dnssec-expired.test": ("signatures expired", "ok", "error", "dnssec=abgelaufen", ""),
    "dnssec-ds-unsigned.test": (
        "DS at the parent, zone not signed",
        "ok",
        "error",
        "dnssec=keinen DNSKEY",
        "",
    ),
}
TLSA_MX = "@ MX 10 relay1\n@ MX 20 relay2\n"
SIGNED = {
    "dnssec-signed.test",
    "dnssec-no-ds.test",
    "dnssec-ds-mismatch.test",
    "dnssec-expired.test",
}
WITH_DS = {
    "dnssec-signed.test",
    "dnssec-ds-mismatch.test",
    "dnssec-expired.test",
    "dnssec-ds-unsigned.test",
}


def zone_text(domain: str, description: str, mta_sts: str, dnssec: str, says: str, extra):
    base = BASE
    expect = EXPECT
    if domain.startswith("tlsa-"):
        base = re.sub(r"@ MX .*\n", "", base, count=2) + TLSA_MX
        expect = expect.replace("mx=ok", "mx=error")
    head = f"; {description}\n; expect {expect} mta_sts={mta_sts} dnssec={dnssec}\n"
    head += "".join(f"; says {s}\n" for s in says.split("|") if s)
    return head + f"$ORIGIN {domain}.\n" + base + extra.format(d=domain)


def sign(domain: str, text: str, *, expired: bool) -> tuple[str, str]:
    """The zone text signed with a new ECDSA P-256 key, and its DS (SHA-256)."""
    origin = dns.name.from_text(domain + ".")
    body = "\n".join(line for line in text.splitlines() if not line.startswith(";"))
    zone = dns.zone.from_text(body, origin=origin, relativize=False)
    key = ec.generate_private_key(ec.SECP256R1())
    dnskey = dns.dnssec.make_dnskey(key.public_key(), "ECDSAP256SHA256", flags=257)
    now = datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC)
    inception, expiration = now, datetime.datetime(2036, 1, 1, tzinfo=datetime.UTC)
    if expired:
        inception, expiration = now.replace(year=2025), now.replace(year=2025, month=12)
    with zone.writer() as txn:
        dns.dnssec.sign_zone(
            zone,
            txn,
            keys=[(key, dnskey)],
            dnskey_ttl=300,
            inception=inception,
            expiration=expiration,
        )
    comments = "".join(line + "\n" for line in text.splitlines() if line.startswith(";"))
    ds = dns.dnssec.make_ds(origin, dnskey, "SHA256").to_text()
    return comments + zone.to_text(relativize=False), ds


def main() -> None:
    delegations = []
    for domain, (description, mta_sts, dnssec, says, extra) in ZONE_CASES.items():
        text = zone_text(domain, description, mta_sts, dnssec, says, extra)
        ds = None
        if domain in SIGNED:
            text, ds = sign(domain, text, expired=domain == "dnssec-expired.test")
        if domain == "dnssec-ds-mismatch.test" or domain == "dnssec-ds-unsigned.test":
            other = ec.generate_private_key(ec.SECP256R1()).public_key()
            ds = dns.dnssec.make_ds(
                domain + ".",
                dns.dnssec.make_dnskey(other, "ECDSAP256SHA256", flags=257),
                "SHA256",
            ).to_text()
        (ZONES / f"{domain}.zone").write_text(text)
        if domain in WITH_DS:
            label = domain.removesuffix(".test")
            delegations += [f"{label} NS ns1.alpenpost.example.", f"{label} DS {ds}"]
    parent = ZONES / "test.zone"
    lines = [
        line
        for line in parent.read_text().splitlines()
        if " DS " not in line and not re.match(r"dnssec-\S+ NS ", line)
    ]
    parent.write_text("\n".join(lines + delegations) + "\n")


if __name__ == "__main__":
    main()
