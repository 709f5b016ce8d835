"""What the rule engine reports: findings with a severity, and the verdict they add up to."""

from dataclasses import asdict, dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    """How a finding weighs: `reject` means the filters would refuse the message."""

    INFO = "info"
    WARN = "warn"
    REJECT = "reject"


class Verdict(StrEnum):
    PASS = "pass"  # noqa: S105 - a verdict, not a password
    WARN = "warn"
    REJECT = "reject"


_RANK = {Severity.INFO: 0, Severity.WARN: 1, Severity.REJECT: 2}


@dataclass(frozen=True)
class Finding:
    """One observation: a stable `code`, its weight, a readable detail and where it was seen."""

    code: str
    severity: Severity
    detail: str
    location: str = ""

    def as_dict(self) -> dict:
        data = asdict(self)
        data["severity"] = str(self.severity)
        return data


@dataclass
class CheckReport:
    """Everything the check found in one message."""

    findings: list[Finding] = field(default_factory=list)
    subject: str = ""
    sender: str = ""
    size: int = 0

    @property
    def verdict(self) -> Verdict:
        worst = max((_RANK[f.severity] for f in self.findings), default=0)
        return {0: Verdict.PASS, 1: Verdict.WARN, 2: Verdict.REJECT}[worst]

    def sorted_findings(self) -> list[Finding]:
        return sorted(self.findings, key=lambda f: -_RANK[f.severity])

    def as_dict(self) -> dict:
        """The shape of `check_message --json`."""
        return {
            "verdict": str(self.verdict),
            "findings": [f.as_dict() for f in self.sorted_findings()],
        }
