"""The shapes every check returns, and the provider facts the checks compare against."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from django.utils.translation import gettext

from mailservices.diagnosis.dns import normalize_name, txt_quote

OK = "ok"
WARNING = "warning"
ERROR = "error"
UNKNOWN = "unknown"
STATUSES = (OK, WARNING, ERROR, UNKNOWN)
# How bad a status is when several are combined: an error beats "could not verify".
SEVERITY = {OK: 0, WARNING: 1, UNKNOWN: 2, ERROR: 3}

PUBLISH = "publish"
REMOVE = "remove"


def worst(statuses) -> str:
    statuses = list(statuses)
    if not statuses:
        return OK
    return max(statuses, key=SEVERITY.__getitem__)


@dataclass(frozen=True)
class Text:
    """A German msgid with its parameters, translated only when shown.

    Kept unrendered so that stored results show in the reader's language.
    """

    msgid: str
    params: dict = field(default_factory=dict)

    def __str__(self) -> str:
        text = gettext(self.msgid)
        return text % self.params if self.params else text

    def to_dict(self) -> dict:
        return {"msgid": self.msgid, "params": self.params}

    @classmethod
    def from_dict(cls, data: dict) -> Text:
        return cls(data["msgid"], dict(data.get("params") or {}))


@dataclass(frozen=True)
class Record:
    """A DNS record the customer should publish (or remove) in their zone."""

    name: str
    type: str
    value: str
    ttl: int = 3600
    action: str = PUBLISH

    def __post_init__(self):
        if not isinstance(self.ttl, int) or self.action not in (PUBLISH, REMOVE):
            raise ValueError(f"bad record: ttl={self.ttl!r} action={self.action!r}")

    @property
    def fqdn(self) -> str:
        return normalize_name(self.name) + "."

    @property
    def zone_value(self) -> str:
        return txt_quote(self.value) if self.type == "TXT" else self.value

    @property
    def zone_line(self) -> str:
        return f"{self.fqdn} {self.ttl} IN {self.type} {self.zone_value}"

    def to_dict(self) -> dict:
        return {
            "name": self.fqdn,
            "type": self.type,
            "value": self.value,
            "ttl": self.ttl,
            "action": self.action,
            "zone_line": self.zone_line,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Record:
        return cls(
            name=data["name"],
            type=data["type"],
            value=data["value"],
            ttl=data.get("ttl", 3600),
            action=data.get("action", PUBLISH),
        )


@dataclass(frozen=True)
class Finding:
    """One observation inside a check (a check may have several)."""

    status: str
    text: Text

    def to_dict(self) -> dict:
        return {"status": self.status, "text": self.text.to_dict()}

    @classmethod
    def from_dict(cls, data: dict) -> Finding:
        return cls(data["status"], Text.from_dict(data["text"]))


@dataclass
class CheckResult:
    """What one check found: status, a plain explanation and the records to publish.

    `message` is the explanation in the active language: every finding, worst first.
    """

    name: str
    status: str
    message: str
    records: list[Record]
    findings: list[Finding] = field(default_factory=list)
    found: list[str] = field(default_factory=list)  # what DNS holds now, for reference

    @classmethod
    def from_findings(cls, name, findings, records=(), found=()) -> CheckResult:
        findings = sorted(findings, key=lambda f: -SEVERITY[f.status])
        status = worst(f.status for f in findings)
        message = " ".join(str(f.text) for f in findings)
        return cls(name, status, message, list(records), list(findings), list(found))

    def to_json(self) -> dict:
        """The shape `manage.py diagnose --json` prints."""
        return {
            "name": self.name,
            "status": self.status,
            "message": self.message,
            "records": [r.to_dict() for r in self.records],
        }

    def to_storage(self) -> dict:
        """Language-neutral form for the database (msgids, not rendered text)."""
        return {
            "name": self.name,
            "status": self.status,
            "findings": [f.to_dict() for f in self.findings],
            "records": [r.to_dict() for r in self.records],
            "found": self.found,
        }

    @classmethod
    def from_storage(cls, data: dict) -> CheckResult:
        findings = [Finding.from_dict(f) for f in data.get("findings", [])]
        result = cls.from_findings(
            data["name"],
            findings,
            [Record.from_dict(r) for r in data.get("records", [])],
            data.get("found", []),
        )
        result.status = data.get("status", result.status)
        return result


@dataclass(frozen=True)
class ProviderFacts:
    """The provider's hosts and networks (from settings, or given by tests and bench)."""

    mail_host: str
    mx_hosts: tuple[str, ...]
    spf_include: str
    outbound_networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]
    dkim_selector: str
    # MTA-STS and TLS-RPT (RFC 8461, 8460): the host serving every domain's policy, where
    # TLS reports go, the policy's mode and max_age. Empty host/address: not offered.
    mta_sts_host: str = ""
    tlsrpt_rua: str = ""
    mta_sts_mode: str = "enforce"
    mta_sts_max_age: int = 604800

    def __post_init__(self):
        object.__setattr__(self, "mta_sts_host", normalize_name(self.mta_sts_host))
        object.__setattr__(self, "mail_host", normalize_name(self.mail_host))
        object.__setattr__(self, "mx_hosts", tuple(normalize_name(h) for h in self.mx_hosts))
        object.__setattr__(self, "spf_include", normalize_name(self.spf_include))
        object.__setattr__(
            self,
            "outbound_networks",
            tuple(ipaddress.ip_network(n, strict=False) for n in self.outbound_networks),
        )

    @classmethod
    def from_settings(cls) -> ProviderFacts:
        from mailservices.hosteddns.app_settings import app_settings as hosted
        from portal.core.app_settings import app_settings as portal

        return cls(
            mail_host=portal.MAIL_HOST,
            mx_hosts=tuple(portal.MX_HOSTS),
            spf_include=portal.SPF_INCLUDE,
            outbound_networks=tuple(portal.OUTBOUND_IPS),
            dkim_selector=portal.DKIM_SELECTOR,
            mta_sts_host=hosted.MTA_STS_HOST,
            tlsrpt_rua=hosted.TLSRPT_RUA,
            mta_sts_mode=hosted.MTA_STS_MODE,
            mta_sts_max_age=hosted.MTA_STS_MAX_AGE,
        )


@dataclass(frozen=True)
class ZoneFacts:
    """What the portal publishes for a zone it hosts (None for an external domain): the DS
    records it shows for the registry, and the MTA-STS policy it serves (None: none)."""

    ds_records: tuple[str, ...] = ()
    mta_sts_policy: str | None = None
