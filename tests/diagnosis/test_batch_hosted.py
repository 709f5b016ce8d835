"""Issue 14 item 8 for the zones we host: the daily batch asks our own name server
(PORTAL_DNS_SERVER) for a hosted domain, as "Jetzt prüfen" does, and the public resolver
(PORTAL_DIAGNOSIS_NAMESERVER) for the others, all in one pass.

`no-mx.test` differs between the two views: the public one (the corpus nsd) has no MX, our
server (a second nsd, or PowerDNS on the PostgreSQL run) serves it correctly.
"""

import asyncio
import json
import shutil
from io import StringIO

import pytest
from django.core.management import call_command

from mailservices.diagnosis import services
from mailservices.diagnosis.asyncdns import DnsClient
from mailservices.diagnosis.models import DiagnosisRun
from mailservices.diagnosis.runner import diagnose, diagnose_many
from tests.conftest import require_service
from tests.diagnosis.conftest import ZONES
from tests.diagnosis.nsd import NsdServer, nsd_available
from tests.hosteddns.conftest import powerdns  # noqa: F401 - the PowerDNS fixture
from tests.hosteddns.test_diagnose_e2e import provider_zone  # noqa: F401

pytestmark = pytest.mark.dns

HOSTED = "no-mx.test"
EXTERNAL = ["good.test", "dkim-missing.test"]
STORED = ("state", "status", "results", "progress_done", "progress_total", "error")


@pytest.fixture(scope="module")
def own_server(tmp_path_factory):
    """Our own name server: the corpus, but `no-mx.test` with the records of `good.test`."""
    require_service("nsd", nsd_available())
    zones = tmp_path_factory.mktemp("own-zones")
    for path in ZONES.glob("*.zone"):
        shutil.copy(path, zones / path.name)
    good = (ZONES / "good.test.zone").read_text()
    (zones / f"{HOSTED}.zone").write_text(good.replace("good.test.", f"{HOSTED}."))
    server = NsdServer.from_directory(zones, tmp_path_factory.mktemp("own-nsd"))
    server.start()
    yield server
    server.stop()


def _verdicts(diagnosis):
    return [(c.name, c.status, c.message, c.records) for c in diagnosis.checks]


def _statuses(results):
    return {check["name"]: check["status"] for check in results}


def _stored(run):
    """What a run stored; `found` (what DNS holds) in sorted order, as PowerDNS may answer
    an RRset in any order."""
    run.refresh_from_db()
    stored = {field: getattr(run, field) for field in STORED}
    stored["results"] = [
        {**check, "found": sorted(check.get("found", []))} for check in stored["results"]
    ]
    return stored


def _both_paths(made):
    """{service pk: (stored single run, stored batch run)}: each service through
    `diagnosis_execute`, then all of them in one `diagnosis_execute_many`."""
    single = {}
    for service in made:
        run = services.diagnosis_queue(service=service)
        services.diagnosis_execute(run_pk=run.pk)
        single[service.pk] = _stored(run)
    run_pks = services.diagnosis_create_scheduled(services=made)
    assert len(services.diagnosis_execute_many(run_pks=run_pks)) == len(made)
    return {
        run.service_id: (single[run.service_id], _stored(run))
        for run in DiagnosisRun.objects.filter(pk__in=run_pks)
    }


def test_the_batch_asks_a_hosted_domain_at_its_own_server_in_the_same_pass(
    nsd, own_server, provider, dkim_public_key, monkeypatch
):
    opened, asked = [], []
    original_open, original_ask = DnsClient.for_nameserver.__func__, DnsClient.ask_many

    def recording_open(cls, nameserver, **kw):
        opened.append(nameserver)
        return original_open(cls, nameserver, **kw)

    async def recording_ask(self, keys):
        asked.extend((self.servers[0][1], name) for name, _type in keys)
        return await original_ask(self, keys)

    monkeypatch.setattr(DnsClient, "for_nameserver", classmethod(recording_open))
    monkeypatch.setattr(DnsClient, "ask_many", recording_ask)
    domains = [EXTERNAL[0], HOSTED, EXTERNAL[1]]
    batch = asyncio.run(
        diagnose_many(
            domains,
            provider=provider,
            nameserver=nsd.address,
            nameservers={HOSTED: own_server.address},
            keys=dict.fromkeys(domains, dkim_public_key),
        )
    )
    # One client per server, opened once: the hosted domain is grouped, not a second batch.
    assert opened == [nsd.address, own_server.address]
    for domain, together in zip(domains, batch, strict=True):
        server = own_server if domain == HOSTED else nsd
        single = diagnose(
            domain, provider=provider, nameserver=server.address, dkim_public_key=dkim_public_key
        )
        assert _verdicts(together) == _verdicts(single), domain
    hosted = {c.name: c.status for c in batch[1].checks}
    public = diagnose(HOSTED, provider=provider, nameserver=nsd.address)
    assert hosted["mx"] == "ok" and {c.name: c.status for c in public.checks}["mx"] == "error"
    own_names = {name for port, name in asked if port == own_server.port}
    public_names = {name for port, name in asked if port == nsd.port}
    assert HOSTED in own_names and HOSTED not in public_names
    assert not any(name.endswith(tuple(EXTERNAL)) for name in own_names)


@pytest.mark.django_db
def test_a_hosted_domain_gets_the_same_verdict_in_the_batch_as_on_the_single_run(
    make_keyed_service, customer, diagnosis_settings, own_server
):
    diagnosis_settings.PORTAL_DNS_SERVER = own_server.address
    hosted = make_keyed_service(customer, HOSTED, source="registered")
    made = [
        make_keyed_service(customer, EXTERNAL[0]),
        hosted,
        make_keyed_service(customer, EXTERNAL[1]),
    ]
    both = _both_paths(made)
    for service in made:
        single, batch = both[service.pk]
        assert batch == single, service.domain.name
    assert _statuses(both[hosted.pk][1]["results"])["mx"] == "ok"  # our server's view
    assert _statuses(both[made[2].pk][1]["results"])["dkim"] == "error"
    # `manage.py diagnose` without --nameserver asks where the runs ask.
    for service in made:
        out = StringIO()
        call_command("diagnose", service.domain.name, json=True, stdout=out)
        command = {c["name"]: c["status"] for c in json.loads(out.getvalue())["checks"]}
        assert command == _statuses(both[service.pk][0]["results"]), service.domain.name


@pytest.mark.django_db(transaction=True)
def test_a_hosted_domain_on_our_powerdns_gets_the_same_verdict_in_the_batch(
    powerdns,  # noqa: F811
    provider_zone,  # noqa: F811
    nsd,
    make_keyed_service,
    customer,
    diagnosis_settings,
):
    """PostgreSQL run: the zone as PowerDNS serves it from the portal's records."""
    from mailservices.plans import Plan
    from mailservices.services import domain_create, mailservice_create

    diagnosis_settings.PORTAL_DNS_SERVER = powerdns.address
    diagnosis_settings.PORTAL_DIAGNOSIS_ON_CREATE = False
    domain = domain_create(customer=customer, name=HOSTED, source="registered")
    hosted = mailservice_create(domain=domain, plan=Plan.SERVICE_MAIL)
    external = make_keyed_service(customer, EXTERNAL[1])
    both = _both_paths([hosted, external])
    for single, batch in both.values():
        assert batch == single
    assert both[hosted.pk][1]["status"] == "ok", both[hosted.pk][1]["results"]
    assert both[external.pk][1]["status"] == "error"
    public = diagnose(HOSTED, nameserver=nsd.address)
    assert {c.name: c.status for c in public.checks}["mx"] == "error"
