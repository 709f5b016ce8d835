"""The moves of issue 18 keep the data: runs and checks become jobs, keys and zone records
change app but not table."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("diagnosis", "0001_initial"), ("messagetools", "0002_message_check")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_runs_checks_keys_and_zone_records_survive_the_moves(make_customer):
    executor = MigrationExecutor(connection)
    undone = [(m.app_label, m.name) for m, _backwards in executor.migration_plan(BEFORE)]
    old = _migrate(BEFORE)
    customer = make_customer()  # the accounts app is not migrated back: today's models
    domain = old.get_model("mailservices", "Domain").objects.create(
        customer_id=customer.pk, name="move.test", source="registered"
    )
    service = old.get_model("mailservices", "MailService").objects.create(
        domain=domain, plan="service_mail", address_quota=5
    )
    run = old.get_model("diagnosis", "DiagnosisRun").objects.create(
        service=service, state="done", status="ok", checks_done=5, checks_total=5
    )
    old.get_model("diagnosis", "DkimKey").objects.create(
        service=service, selector="s1", private_key_pem="PEM", public_key="PUB"
    )
    old.get_model("diagnosis", "ZoneRecord").objects.create(
        domain=domain, name="@", type="MX", value="10 mx1.example."
    )
    check = old.get_model("messagetools", "MessageCheck").objects.create(
        customer_id=customer.pk, original="checks/a.eml", original_size=1, status="failed",
        steps_done=2, steps_total=5, error="kaputt",
    )  # fmt: skip

    # Forward again, through the moves (and whatever came after): to each app's last
    # migration among those undone (an earlier one of the same app would mean "back to it").
    last = {}
    for app, name in undone:  # the backwards plan lists each app's latest first
        last.setdefault(app, (app, name))
    new = _migrate(list(last.values()))
    run = new.get_model("diagnosis", "DiagnosisRun").objects.get(pk=run.pk)
    assert (run.state, run.status, run.progress_done, run.progress_total) == ("done", "ok", 5, 5)
    assert run.queued_at == run.created_at
    check = new.get_model("messagetools", "MessageCheck").objects.get(pk=check.pk)
    assert (check.state, check.progress_done, check.error) == ("failed", 2, "kaputt")
    key = new.get_model("provisioning", "DkimKey").objects.get(service_id=service.pk)
    assert (key.selector, key.public_key) == ("s1", "PUB")
    record = new.get_model("provisioning", "ZoneRecord").objects.get(domain_id=domain.pk)
    assert record.value == "10 mx1.example."
