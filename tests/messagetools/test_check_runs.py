"""Message checks as Celery work: create, run (twice), progress, failure, re-run, clean-up."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone, translation

from messagetools.app_settings import app_settings
from messagetools.engine import NotAMessage
from messagetools.engine.check import CHECK_STEPS
from messagetools.models import CHECK_STEP_LABELS, MessageCheck
from messagetools.schedule import SCHEDULE as BEAT_SCHEDULE
from messagetools.services import (
    message_check_create,
    message_check_delete,
    message_check_execute,
    message_check_requeue,
    message_checks_delete_old,
)
from messagetools.tasks import delete_old_message_checks, run_message_check
from tests.messagetools import builders as b

pytestmark = pytest.mark.django_db


def storage():
    return MessageCheck._meta.get_field("original").storage


def stored_names() -> set[str]:
    try:
        return {f"checks/{name}" for name in storage().listdir("checks")[1]}
    except FileNotFoundError:
        return set()


def create(customer, raw=None, language="de", execute=False, capture=None):
    raw = raw if raw is not None else b.message(attachments=[("rechnung.pdf.exe", b"MZ")])
    if capture is None:
        return message_check_create(customer=customer, raw=raw, language=language)
    with capture(execute=execute):
        return message_check_create(customer=customer, raw=raw, language=language)


def test_create_stores_the_message_and_queues_the_check_after_commit(
    customer, spf, django_capture_on_commit_callbacks
):
    raw = b.message(attachments=[("rechnung.pdf.exe", b"MZ")])
    with django_capture_on_commit_callbacks() as callbacks:
        check = message_check_create(customer=customer, raw=raw, language="de")
    assert len(callbacks) == 1  # queued only once the transaction commits
    assert check.state == MessageCheck.State.QUEUED and check.result == {}
    assert check.original.name.startswith("checks/") and check.original.name.endswith(".eml")
    assert "rechnung" not in check.original.name  # the customer's name is not used
    assert check.original.read() == raw and check.original_size == len(raw)
    assert spf.domains == []  # nothing checked inside the request

    callbacks[0]()  # what the worker does (tasks run eagerly in tests)
    check.refresh_from_db()
    assert check.state == MessageCheck.State.DONE
    assert check.verdict == "reject" and check.subject == "Unterlagen für Freitag"
    assert check.progress_done == check.progress_total == len(CHECK_STEPS)
    assert check.finished_at is not None
    codes = [f["code"] for f in check.result["findings"]]
    assert codes[0] == "forbidden_extension" and "spf_pass" in codes
    assert check.result["verdict"] == "reject"
    assert check.result["sender"] == "anna@example.org" and check.result["size"] == len(raw)
    assert spf.domains == ["example.org"]


@pytest.mark.parametrize("raw", [b"", bytes(range(256)) * 8, b"Hallo Bruno, wie geht's?\n"])
def test_not_a_message_stores_nothing(customer, raw):
    before = stored_names()
    with pytest.raises(NotAMessage):
        message_check_create(customer=customer, raw=raw, language="de")
    assert not MessageCheck.objects.exists()
    assert stored_names() == before


def test_running_twice_checks_once(customer, spf, django_capture_on_commit_callbacks):
    check = create(customer, capture=django_capture_on_commit_callbacks, execute=True)
    check.refresh_from_db()
    first = (check.result, check.finished_at)
    assert run_message_check(check.pk) == "skipped"
    assert message_check_execute(check_pk=check.pk) is None
    check.refresh_from_db()
    assert (check.result, check.finished_at) == first
    assert spf.domains == ["example.org"]  # one SPF lookup, not two


def test_a_check_running_elsewhere_is_left_alone_until_stale(customer, spf):
    check = create(customer)
    now = timezone.now()
    MessageCheck.objects.filter(pk=check.pk).update(state="running", started_at=now)
    assert message_check_execute(check_pk=check.pk) is None
    assert spf.domains == []
    MessageCheck.objects.filter(pk=check.pk).update(started_at=now - MessageCheck.ACTIVE_FOR * 2)
    assert message_check_execute(check_pk=check.pk).state == MessageCheck.State.DONE


def test_a_deleted_check_is_skipped(customer):
    check = create(customer)
    MessageCheck.objects.filter(pk=check.pk).delete()
    assert run_message_check(check.pk) == "skipped"


def test_progress_is_saved_after_each_step(customer, spf, monkeypatch):
    """While SPF is looked up (the last step), the row shows the steps before it as done."""
    check = create(customer)
    seen = []

    def spf_watching_progress(domain, *, resolver=None):
        row = MessageCheck.objects.get(pk=check.pk)
        seen.append((row.state, row.progress_done, row.progress_total, row.step_label))
        return spf(domain)

    monkeypatch.setattr("mailservices.diagnosis.checks.check_spf", spf_watching_progress)
    message_check_execute(check_pk=check.pk)
    total = len(CHECK_STEPS)
    with translation.override("de"):  # the check's language, whatever a test left active
        assert seen == [("running", total - 1, total, str(CHECK_STEP_LABELS[total - 1]))]
    assert len(CHECK_STEP_LABELS) == total


def test_a_missing_original_fails_with_a_message(customer):
    check = create(customer)
    storage().delete(check.original.name)
    check = message_check_execute(check_pk=check.pk)
    assert check.state == MessageCheck.State.FAILED
    assert "nicht mehr lesbar" in check.error and check.finished_at is not None


def test_findings_are_written_in_the_language_of_the_check(customer):
    check = create(customer, raw=b.message(attachments=[("setup.exe", b"MZ")]), language="en")
    check = message_check_execute(check_pk=check.pk)
    details = " ".join(f["detail"] for f in check.result["findings"])
    assert "setup.exe" in details
    assert "Anhang" not in details  # German would say „Anhang“; the English catalogue is used


def test_requeue_runs_the_stored_message_again(customer, spf, django_capture_on_commit_callbacks):
    check = create(customer, capture=django_capture_on_commit_callbacks, execute=True)
    spf.status, spf.message = "unknown", "DNS antwortete nicht"
    with django_capture_on_commit_callbacks() as callbacks:
        again = message_check_requeue(check=check, language="de")
    assert again.state == MessageCheck.State.QUEUED and again.result == {}
    assert again.verdict == "" and again.finished_at is None
    callbacks[0]()
    again.refresh_from_db()
    assert again.state == MessageCheck.State.DONE
    assert "spf_unknown" in [f["code"] for f in again.result["findings"]]
    assert again.verdict == "reject"  # from the attachment; SPF "unknown" adds only a note
    assert spf.domains == ["example.org", "example.org"]


def test_requeue_of_an_active_check_changes_nothing(customer, django_capture_on_commit_callbacks):
    check = create(customer)
    with django_capture_on_commit_callbacks() as callbacks:
        same = message_check_requeue(check=check, language="de")
    assert same.pk == check.pk and same.state == MessageCheck.State.QUEUED
    assert callbacks == []


def test_lost_check_is_not_active_and_can_be_requeued(customer):
    check = create(customer)
    MessageCheck.objects.filter(pk=check.pk).update(
        queued_at=timezone.now() - timedelta(minutes=11)
    )
    check.refresh_from_db()
    assert not check.is_active and check.is_lost
    again = message_check_requeue(check=check, language="de")
    assert again.is_active


def test_delete_removes_row_and_file(customer, django_capture_on_commit_callbacks):
    check = create(customer)
    name = check.original.name
    with django_capture_on_commit_callbacks(execute=True):
        message_check_delete(check=check)
    assert not MessageCheck.objects.exists()
    assert not storage().exists(name)


def test_clean_up_deletes_old_checks_with_their_files(
    customer, other_customer, django_capture_on_commit_callbacks
):
    old = [create(customer), create(other_customer)]
    young = create(customer)
    now = timezone.now()
    keep = timedelta(days=app_settings.CHECK_KEEP_DAYS)
    MessageCheck.objects.filter(pk__in=[c.pk for c in old]).update(
        created_at=now - keep - timedelta(minutes=1)
    )
    MessageCheck.objects.filter(pk=young.pk).update(created_at=now - keep + timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert delete_old_message_checks() == 2
    assert list(MessageCheck.objects.values_list("pk", flat=True)) == [young.pk]
    assert not any(storage().exists(c.original.name) for c in old)
    assert storage().exists(young.original.name)


def test_clean_up_works_in_batches(customer, django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr("messagetools.services.DELETE_BATCH", 2)
    checks = [create(customer) for _ in range(5)]
    MessageCheck.objects.update(created_at=timezone.now() - timedelta(days=30))
    with django_capture_on_commit_callbacks(execute=True):
        assert message_checks_delete_old(days=7) == 5
    assert not MessageCheck.objects.exists()
    assert not any(storage().exists(c.original.name) for c in checks)


def test_clean_up_removes_old_orphaned_files_only(customer, django_capture_on_commit_callbacks):
    kept = create(customer)
    orphan = storage().save("checks/verwaist.eml", ContentFile(b"From: x@example.org\n\nx"))
    later = timezone.now() + timedelta(days=8)
    MessageCheck.objects.filter(pk=kept.pk).update(created_at=later)  # young at that time
    with django_capture_on_commit_callbacks(execute=True):
        message_checks_delete_old(now=timezone.now(), days=7)
    assert storage().exists(orphan)  # new orphans stay (an upload may be committing)
    with django_capture_on_commit_callbacks(execute=True):
        message_checks_delete_old(now=later, days=7)
    assert not storage().exists(orphan)
    assert storage().exists(kept.original.name)


def test_clean_up_runs_daily_from_beat():
    entry = BEAT_SCHEDULE["messagetools-delete-old-checks"]
    assert entry["task"] == delete_old_message_checks.name
    assert settings.CELERY_BEAT_SCHEDULE["messagetools-delete-old-checks"] == entry
