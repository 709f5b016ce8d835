"""Fixtures of the message-tools tests: SPF answered at the edge, never by the network."""

import pytest

from mailservices.diagnosis.checks import CheckResult


class SpfStub:
    """Stands in for `mailservices.diagnosis.checks.check_spf`; records the domains asked."""

    def __init__(self, status="ok", message="SPF ist korrekt."):
        self.status = status
        self.message = message
        self.domains = []

    def __call__(self, domain, *, resolver=None):
        self.domains.append(domain)
        return CheckResult(name="spf", status=self.status, message=self.message, records=[])


@pytest.fixture(autouse=True)
def spf(monkeypatch):
    """Every test gets a stubbed `check_spf` (the one diagnosis function we call)."""
    stub = SpfStub()
    monkeypatch.setattr("mailservices.diagnosis.checks.check_spf", stub)
    return stub
