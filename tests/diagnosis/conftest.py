"""Fixtures of the diagnosis tests: a real nsd with the zone corpus, a fake responder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from mailservices.diagnosis.checks import ProviderFacts
from mailservices.provisioning.keys import public_key_of
from tests.conftest import require_service
from tests.diagnosis.fakedns import FakeDns
from tests.diagnosis.nsd import NsdServer, nsd_available
from tests.diagnosis.smtpserver import SmtpServer
from tests.diagnosis.tlsserver import PolicyServer

ZONES = Path(__file__).parent / "zones"
PROVIDER = {
    "PORTAL_MAIL_HOST": "mail.alpenpost.example",
    "PORTAL_MX_HOSTS": ["mx1.alpenpost.example", "mx2.alpenpost.example"],
    "PORTAL_SPF_INCLUDE": "spf.alpenpost.example",
    "PORTAL_OUTBOUND_IPS": ["192.0.2.0/28", "2001:db8:25::/64"],
    "PORTAL_DKIM_SELECTOR": "alp2026",
    "PORTAL_MTA_STS_HOST": "mta-sts.alpenpost.example",
    "PORTAL_TLSRPT_RUA": "mailto:tls-reports@alpenpost.example",
}


@dataclass(frozen=True)
class Case:
    """One diagnosed zone of the corpus with what the diagnosis must say about it."""

    domain: str
    description: str
    expect: dict
    says: dict

    def __str__(self):
        return self.domain


def load_corpus() -> list[Case]:
    cases = []
    for path in sorted(ZONES.glob("*.zone")):
        lines = path.read_text().splitlines()
        expect = [line for line in lines if line.startswith("; expect ")]
        if not expect:
            continue  # infrastructure zone (provider, parent, reverse)
        cases.append(
            Case(
                domain=path.name.removesuffix(".zone"),
                description=lines[0].lstrip("; "),
                expect=dict(part.split("=", 1) for part in expect[0][9:].split()),
                says=dict(
                    line[len("; says ") :].split("=", 1)
                    for line in lines
                    if line.startswith("; says ")
                ),
            )
        )
    return cases


CORPUS = load_corpus()


@pytest.fixture(scope="session")
def nsd(tmp_path_factory):
    """nsd serving tests/diagnosis/zones on 127.0.0.1 (a free port per xdist worker)."""
    require_service("nsd", nsd_available())
    server = NsdServer.from_directory(ZONES, tmp_path_factory.mktemp("nsd"))
    server.start()
    yield server
    server.stop()


def corpus_policies() -> dict:
    """What the corpus' policy host serves, by host name (mta-sts.<zone>)."""
    from mailservices.hosteddns import mtasts

    ours = PROVIDER["PORTAL_MX_HOSTS"]
    good = ("text/plain", mtasts.policy_text(ours))
    return {
        f"mta-sts.{domain}": (200, *response)
        for domain, response in {
            "mta-sts-good.test": good,
            "tlsrpt-invalid.test": good,
            "mta-sts-wrong-cert.test": good,
            "mta-sts-uncovered.test": ("text/plain", mtasts.policy_text(ours[:1])),
            "mta-sts-testing.test": ("text/plain", mtasts.policy_text(ours[:1], mode="testing")),
            "mta-sts-invalid-policy.test": (
                "text/plain",
                "version: STSv1\r\nmode: enforce\r\n" + "".join(f"mx: {h}\r\n" for h in ours),
            ),
            "mta-sts-short-max-age.test": ("text/plain", mtasts.policy_text(ours, max_age=3600)),
            "mta-sts-html.test": ("text/html; charset=utf-8", good[1]),
        }.items()
    }


@pytest.fixture(scope="session", autouse=True)
def policy_server():
    """The HTTPS server of every corpus zone's `mta-sts` host (127.0.0.1), with a test CA
    the diagnosis trusts for the whole session, and the STARTTLS server of its DANE MX
    hosts."""
    from django.test import override_settings

    served = corpus_policies()
    names = [name for name in served if name != "mta-sts.mta-sts-wrong-cert.test"]
    names += ["mta-sts.mta-sts-not-found.test", "mta-sts.slow.test"]
    server = PolicyServer(names, served).start()
    smtp = SmtpServer().start()  # the corpus' MX hosts with TLSA records (127.0.0.1)
    override = override_settings(
        PORTAL_DIAGNOSIS_MTA_STS_PORT=server.port,
        PORTAL_DIAGNOSIS_CA_FILE=str(server.ca_file),
        PORTAL_DIAGNOSIS_SMTP_PORT=smtp.port,
    )
    override.enable()
    yield server
    override.disable()
    smtp.stop()
    server.stop()


@pytest.fixture
def fake_dns():
    server = FakeDns().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def provider() -> ProviderFacts:
    return ProviderFacts(
        mail_host=PROVIDER["PORTAL_MAIL_HOST"],
        mx_hosts=tuple(PROVIDER["PORTAL_MX_HOSTS"]),
        spf_include=PROVIDER["PORTAL_SPF_INCLUDE"],
        outbound_networks=tuple(PROVIDER["PORTAL_OUTBOUND_IPS"]),
        dkim_selector=PROVIDER["PORTAL_DKIM_SELECTOR"],
        mta_sts_host=PROVIDER["PORTAL_MTA_STS_HOST"],
        tlsrpt_rua=PROVIDER["PORTAL_TLSRPT_RUA"],
    )


@pytest.fixture(scope="session")
def dkim_private_pem() -> str:
    return (ZONES / "dkim-test-key.pem").read_text()


@pytest.fixture(scope="session")
def dkim_public_key(dkim_private_pem) -> str:
    """The key the corpus zones publish (the "other key" zone publishes a different one)."""
    return public_key_of(dkim_private_pem)


@pytest.fixture
def diagnosis_settings(settings, nsd):
    """Settings that send the portal's diagnoses to the test nsd."""
    for name, value in PROVIDER.items():
        setattr(settings, name, value)
    settings.PORTAL_DIAGNOSIS_NAMESERVER = nsd.address
    settings.PORTAL_DIAGNOSIS_ON_CREATE = True
    return settings


@pytest.fixture
def make_keyed_service(make_service, dkim_private_pem, dkim_public_key):
    """A mail service (the shared `make_service`) holding the corpus' DKIM key, so that the
    diagnosis checks against the records the test zones publish. No first diagnosis is
    started for it (a test starts the runs it looks at)."""
    from django.test import override_settings

    from mailservices.plans import Plan
    from mailservices.provisioning.models import DkimKey

    def make(customer, domain="good.test", *, source="external", with_key=True):
        with override_settings(PORTAL_DIAGNOSIS_ON_CREATE=False):
            service = make_service(customer, domain, plan=Plan.SERVICE_MAIL, quota=5, source=source)
        if with_key:
            DkimKey.objects.update_or_create(
                service=service,
                defaults={
                    "selector": "alp2026",
                    "private_key_pem": dkim_private_pem,
                    "public_key": dkim_public_key,
                },
            )
        else:  # a live server's on_commit already provisioned one
            DkimKey.objects.filter(service=service).delete()
        return service

    return make


@pytest.fixture(autouse=True)
def german():
    """Messages are asserted in German; a request of an English test must not leak over."""
    from django.utils import translation

    with translation.override("de"):
        yield
