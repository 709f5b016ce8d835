"""The import pages: tenant isolation, the form, the encrypted token, the job's life cycle."""

from unittest import mock

import pytest
from django.urls import reverse

from mailservices.mailboxes import sealing
from mailservices.mailboxes.importer import import_cancel, import_execute, imports_dispatch
from mailservices.mailboxes.models import ImportFailure, MailImport
from mailservices.services.addresses import address_create
from tests.mailboxes.conftest import PASSWORD
from tests.mailstack.harness import free_port

pytestmark = pytest.mark.django_db

SOURCE = {"host": "127.0.0.1", "port": 993, "security": "ssl", "login": "max@alt.example"}


def _token(address, user, **extra):
    return sealing.seal(
        {**SOURCE, "password": "Geheim-Alt-123", "address": address.pk, "user": user.pk,
         "preview": [{"name": "INBOX", "target": "INBOX", "messages": 3, "bytes": 300}], **extra}
    )  # fmt: skip


def _job(address, **fields):
    return MailImport.objects.create(
        address=address,
        secret=sealing.seal({"password": "Geheim-Alt-123"}),
        **{**SOURCE, **fields},
    )


def test_every_url_answers_404_for_another_customers_address_and_job(
    client, mailbox, other_customer
):
    job = _job(mailbox)
    client.force_login(other_customer.owner)
    urls = [
        ("get", reverse("mailboxes:import_new", args=[mailbox.pk])),
        ("post", reverse("mailboxes:import_new", args=[mailbox.pk])),
        ("post", reverse("mailboxes:import_start", args=[mailbox.pk])),
        ("get", reverse("mailboxes:import_detail", args=[job.pk])),
        ("post", reverse("mailboxes:import_cancel", args=[job.pk])),
    ]
    for method, url in urls:
        assert getattr(client, method)(url).status_code == 404, url
    job.refresh_from_db()
    assert job.state == MailImport.State.QUEUED


def test_form_refuses_plaintext_to_a_remote_host(customer_client, mailbox):
    page = customer_client.post(
        reverse("mailboxes:import_new", args=[mailbox.pk]),
        {**SOURCE, "host": "imap.example.com", "security": "none", "password": "x"},
    )
    assert page.status_code == 200
    assert "Ohne Verschlüsselung geht es nur zu 127.0.0.1" in page.content.decode()


def test_unreachable_server_is_an_inline_error(customer_client, mailbox):
    page = customer_client.post(
        reverse("mailboxes:import_new", args=[mailbox.pk]),
        {**SOURCE, "port": free_port(), "security": "none", "password": "Geheim-Alt-123"},
    )
    text = page.content.decode()
    assert page.status_code == 200 and "nicht erreichbar" in text
    assert "Geheim-Alt-123" not in text


def test_start_queues_one_job_with_the_password_encrypted(customer_client, mailbox, customer):
    url = reverse("mailboxes:import_start", args=[mailbox.pk])
    with mock.patch("mailservices.mailboxes.tasks.import_run_task.delay") as delay:
        response = customer_client.post(url, {"token": _token(mailbox, customer.owner)})
    job = MailImport.objects.get()
    assert response.status_code == 302 and response.url.endswith(f"/imports/{job.pk}/")
    assert job.state == MailImport.State.QUEUED and job.preview_bytes == 300
    assert job.secret and "Geheim-Alt-123" not in job.secret
    assert sealing.unseal(job.secret) == {"password": "Geheim-Alt-123"}
    assert delay.call_count == 0  # queued on commit; the task gets the primary key only

    again = customer_client.post(url, {"token": _token(mailbox, customer.owner)}, follow=True)
    assert "läuft bereits ein Import" in again.content.decode()
    assert MailImport.objects.count() == 1


def test_start_refuses_a_token_of_another_address_or_user(
    customer_client, mailbox, service, customer, make_user
):
    other = address_create(service=service, local_part="bruno", password=PASSWORD)
    url = reverse("mailboxes:import_start", args=[mailbox.pk])
    for token in (_token(other, customer.owner), _token(mailbox, make_user()), "kaputt"):
        response = customer_client.post(url, {"token": token}, follow=True)
        assert "Die Vorschau ist abgelaufen" in response.content.decode()
    assert not MailImport.objects.exists()


def test_progress_page_polls_and_swaps_the_whole_run(customer_client, mailbox):
    job = _job(mailbox)
    url = reverse("mailboxes:import_detail", args=[job.pk])
    page = customer_client.get(url).content.decode()
    assert 'hx-get="' + url in page and "Import abbrechen" in page
    assert '<meta http-equiv="refresh"' in page
    partial = customer_client.get(url, headers={"HX-Request": "true"})
    assert partial["HX-Retarget"] == "#import-run"


def test_cancel_deletes_the_password_and_shows_the_report(customer_client, mailbox):
    job = _job(mailbox)
    response = customer_client.post(reverse("mailboxes:import_cancel", args=[job.pk]), follow=True)
    job.refresh_from_db()
    assert job.state == MailImport.State.CANCELLED and job.secret == ""
    assert "Import abgebrochen" in response.content.decode()


def test_report_lists_failures_with_reasons(customer_client, mailbox):
    job = _job(mailbox, state=MailImport.State.DONE, copied=5, failed=1, folders=2)
    ImportFailure.objects.create(
        job=job, folder="Archiv", uid=7, subject="Grosser Anhang", reason="zu gross (60.0 MB)"
    )
    page = customer_client.get(reverse("mailboxes:import_detail", args=[job.pk])).content.decode()
    assert "Import abgeschlossen" in page and "Grosser Anhang" in page and "zu gross" in page


def test_failed_job_forgets_the_password(mailbox, caplog):
    job = _job(mailbox, port=free_port(), security="none")
    with mock.patch("mailservices.mailboxes.tasks.import_run_task.delay"):
        import_execute(job=job)
    job.refresh_from_db()
    assert job.state == MailImport.State.FAILED and "nicht erreichbar" in job.error
    assert job.secret == ""
    assert "Geheim-Alt-123" not in caplog.text and "Geheim-Alt-123" not in job.error


def test_a_customers_imports_run_one_at_a_time(mailbox, service, make_service, other_customer):
    second = address_create(service=service, local_part="bruno", password=PASSWORD)
    other_address = address_create(
        service=make_service(customer=other_customer, name="andere.ch"),
        local_part="eva",
        password=PASSWORD,
    )
    first, waiting, foreign = _job(mailbox), _job(second), _job(other_address)
    with mock.patch("mailservices.mailboxes.tasks.import_run_task.delay") as delay:
        assert imports_dispatch() == 2
    assert sorted(c.args[0] for c in delay.call_args_list) == sorted([first.pk, foreign.pk])
    MailImport.objects.filter(pk=first.pk).update(state=MailImport.State.RUNNING)
    with mock.patch("mailservices.mailboxes.tasks.import_run_task.delay") as delay:
        imports_dispatch()
    assert [c.args[0] for c in delay.call_args_list] == [foreign.pk]  # waiting stays queued
    assert waiting.pk not in [c.args[0] for c in delay.call_args_list]
    import_cancel(job=first)


def test_address_page_links_to_the_import(customer_client, mailbox):
    page = customer_client.get(reverse("mailservices:address_detail", args=[mailbox.pk]))
    assert reverse("mailboxes:import_new", args=[mailbox.pk]) in page.content.decode()


def test_a_running_import_whose_worker_died_is_resumed(mailbox):
    from datetime import timedelta

    from django.utils import timezone

    from mailservices.mailboxes.importer import _claim

    long_ago = timezone.now() - timedelta(minutes=10)
    job = _job(mailbox, state="running", started_at=long_ago, heartbeat_at=long_ago)
    job.refresh_from_db()
    assert job.is_lost
    with mock.patch("mailservices.mailboxes.tasks.import_run_task.delay") as delay:
        assert imports_dispatch() == 1
    assert [c.args[0] for c in delay.call_args_list] == [job.pk]
    assert _claim(job) is True  # the redelivered task takes it over ...
    assert _claim(job) is False  # ... once


def test_settings_are_checked(settings):
    from mailservices.mailboxes.checks import mailboxes_settings_check

    assert mailboxes_settings_check() == []
    settings.PORTAL_MAILBOXES_IMPORT_KEY = "kein-schluessel"
    settings.PORTAL_MAILBOXES_IMPORT_BATCH_MESSAGES = 0
    assert {e.id for e in mailboxes_settings_check()} == {"mailboxes.E001", "mailboxes.E004"}
