"""The message rule engine: pure functions over raw message bytes (no database, no request).

Public surface: `check_message`, `CheckReport`, `Finding`, `Severity`, `Verdict`, `Limits`,
`NotAMessage`, `explain_bounce` and `extract_report`.
"""

from messagetools.engine.archives import Limits
from messagetools.engine.check import check_message
from messagetools.engine.findings import CheckReport, Finding, Severity, Verdict
from messagetools.engine.parsing import NotAMessage

__all__ = [
    "CheckReport",
    "Finding",
    "Limits",
    "NotAMessage",
    "Severity",
    "Verdict",
    "check_message",
]
