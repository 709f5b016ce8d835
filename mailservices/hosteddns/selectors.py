"""Reads of the hosted DNS: what the portal shows about a hosted zone's signing."""

from __future__ import annotations

from dataclasses import dataclass

from mailservices.hosteddns import dnssec
from mailservices.hosteddns.models import CryptoKey


@dataclass(frozen=True)
class DsRecord:
    key_tag: int
    algorithm: int
    digest_type: int
    digest: str

    @property
    def text(self) -> str:
        return f"{self.key_tag} {self.algorithm} {self.digest_type} {self.digest}"


def zone_ds_records(*, domain) -> list[DsRecord]:
    """The DS records to hand to the registry, one per active key with the SEP flag."""
    out = []
    for key in CryptoKey.objects.filter(domain=domain, active=True, flags=dnssec.CSK_FLAGS):
        tag, algorithm, digest_type, digest = dnssec.ds_record(domain.name, key.content).split()
        out.append(DsRecord(int(tag), int(algorithm), int(digest_type), digest))
    return out
