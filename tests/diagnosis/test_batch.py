"""The daily re-diagnosis on the asyncio batch path: same results, safe twice, failures, slice."""

import asyncio
from datetime import timedelta

import pytest
from django.utils import timezone

from mailservices.diagnosis import runner, services, tasks
from mailservices.diagnosis.models import DiagnosisRun
from mailservices.models import MailService
from mailservices.provisioning.models import DkimKey
from tests.diagnosis.conftest import CORPUS

pytestmark = [pytest.mark.django_db]

STORED = ("state", "status", "results", "progress_done", "progress_total", "error")


def _stored(run):
    run.refresh_from_db()
    return {field: getattr(run, field) for field in STORED}


def _scheduled(made):
    return services.diagnosis_create_scheduled(services=made)


@pytest.mark.dns
def test_batch_stores_what_the_per_run_path_stores(
    make_keyed_service, customer, diagnosis_settings
):
    made = [make_keyed_service(customer, case.domain) for case in CORPUS]
    # A key made under an older selector is checked under its own selector, in its own group.
    DkimKey.objects.filter(service=made[0]).update(selector="old2025")
    single = {}
    for service in made:
        run = services.diagnosis_queue(service=service)
        services.diagnosis_execute(run_pk=run.pk)
        single[service.pk] = _stored(run)
    run_pks = _scheduled(made)
    assert len(run_pks) == len(made)
    finished = services.diagnosis_execute_many(run_pks=run_pks)
    assert sorted(r.pk for r in finished) == sorted(run_pks)
    for run in DiagnosisRun.objects.filter(pk__in=run_pks):
        assert run.trigger == "scheduled"
        assert run.started_at <= run.finished_at
        assert _stored(run) == single[run.service_id], run.service.domain.name
    statuses = {s["status"] for s in single.values()}
    assert {"ok", "warning", "error"} <= statuses
    dkim = DiagnosisRun.objects.get(pk=run_pks[0]).results[2]
    assert dkim["records"][0]["name"] == f"old2025._domainkey.{CORPUS[0].domain}."


@pytest.mark.dns
def test_batch_makes_missing_keys_and_notifies_like_a_single_run(
    make_keyed_service, customer, diagnosis_settings, mailoutbox
):
    good = make_keyed_service(customer, "good.test")
    broken = make_keyed_service(customer, "no-mx.test", with_key=False)
    # The day before, both were fine: the batch turns "no-mx" to error and says so once.
    for service in (good, broken):
        DiagnosisRun.objects.create(
            service=service, trigger="scheduled", state="done", status="ok", progress_total=5
        )
    services.diagnosis_execute_many(run_pks=_scheduled([good, broken]))
    assert DkimKey.objects.filter(service=broken).exists()
    latest = DiagnosisRun.objects.filter(service=broken).order_by("-pk").first()
    assert latest.status == "error" and latest.customer_notified
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [customer.owner.email]


@pytest.mark.dns
def test_batch_is_safe_to_run_twice(make_keyed_service, customer, diagnosis_settings):
    made = [make_keyed_service(customer, case.domain) for case in CORPUS[:4]]
    run_pks = _scheduled(made)
    # Another worker holds one run right now; a second one was lost an hour ago.
    held, lost = run_pks[0], run_pks[1]
    now = timezone.now()
    DiagnosisRun.objects.filter(pk=held).update(state="running", started_at=now)
    DiagnosisRun.objects.filter(pk=lost).update(
        state="running", started_at=now - timedelta(hours=1)
    )
    first = services.diagnosis_execute_many(run_pks=run_pks)
    assert sorted(r.pk for r in first) == sorted(run_pks[1:])
    assert DiagnosisRun.objects.get(pk=held).state == "running"
    before = {r.pk: (r.finished_at, r.results) for r in DiagnosisRun.objects.filter(state="done")}
    assert len(before) == 3
    assert services.diagnosis_execute_many(run_pks=run_pks) == []
    after = {r.pk: (r.finished_at, r.results) for r in DiagnosisRun.objects.filter(state="done")}
    assert after == before
    # The next day's runs: none for the service whose run another worker still holds.
    again = DiagnosisRun.objects.filter(pk__in=_scheduled(made))
    assert sorted(again.values_list("service_id", flat=True)) == [s.pk for s in made[1:]]


def test_batch_that_cannot_run_marks_every_run_failed(
    make_keyed_service, customer, diagnosis_settings, monkeypatch
):
    made = [make_keyed_service(customer, case.domain) for case in CORPUS[:3]]

    async def broken(*args, **kwargs):
        raise OSError("name server unreachable")

    monkeypatch.setattr(services, "diagnose_many", broken)
    run_pks = _scheduled(made)
    services.diagnosis_execute_many(run_pks=run_pks)
    runs = DiagnosisRun.objects.filter(pk__in=run_pks)
    assert {(r.state, r.error) for r in runs} == {("failed", "name server unreachable")}
    assert all(r.finished_at and not r.results for r in runs)
    assert services.diagnosis_execute_many(run_pks=run_pks) == []  # failed stays failed


@pytest.mark.dns
def test_one_failing_domain_fails_alone(
    make_keyed_service, customer, diagnosis_settings, monkeypatch
):
    made = [make_keyed_service(customer, case.domain) for case in CORPUS[:3]]
    victim = made[1].domain.name
    original = runner.diagnose_async

    async def flaky(domain, **kwargs):
        if domain == victim:
            raise ValueError("answer could not be parsed")
        return await original(domain, **kwargs)

    monkeypatch.setattr(runner, "diagnose_async", flaky)
    services.diagnosis_execute_many(run_pks=_scheduled(made))
    states = {
        r.service.domain.name: (r.state, r.error)
        for r in DiagnosisRun.objects.select_related("service__domain")
    }
    assert states[victim] == ("failed", "answer could not be parsed")
    assert {states[s.domain.name][0] for s in made if s.domain.name != victim} == {"done"}


@pytest.mark.dns
def test_hourly_task_diagnoses_exactly_its_slice_in_batches(
    make_keyed_service,
    customer,
    diagnosis_settings,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    made = [make_keyed_service(customer, case.domain) for case in CORPUS[:30]]
    hour = made[0].pk % 24
    same_slice = [s for s in made if s.pk % 24 == hour]
    assert len(same_slice) >= 2
    MailService.objects.filter(pk=same_slice[-1].pk).update(status="suspended")
    expected = sorted(s.pk for s in same_slice[:-1])
    monkeypatch.setattr(services, "BATCH", 1)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert tasks.diagnose_hourly_slice(hour=hour) == len(expected)
    assert len(callbacks) == len(expected)  # one batch task per BATCH runs
    runs = DiagnosisRun.objects.all()
    assert sorted(runs.values_list("service_id", flat=True)) == expected
    assert {(r.trigger, r.state) for r in runs} == {("scheduled", "done")}


def test_coroutines_run_inside_a_thread_with_a_running_event_loop():
    """A Playwright test keeps an event loop running on its thread; the batch still runs."""

    async def answer():
        return 42

    async def inside_a_loop():
        return runner.run_coroutine(answer)

    assert runner.run_coroutine(answer) == 42
    assert asyncio.run(inside_a_loop()) == 42
