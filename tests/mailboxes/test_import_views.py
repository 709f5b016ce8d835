"""The import pages: tenant isolation, the form, the preview job, the import job's life cycle."""

from datetime import timedelta
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from mailservices.mailboxes import sealing
from mailservices.mailboxes.importer import import_cancel, import_execute, imports_dispatch
from mailservices.mailboxes.models import ImportFailure, ImportPreview, MailImport
from mailservices.mailboxes.previews import (
    import_preview_execute,
    import_preview_request,
    import_previews_expire,
)
from mailservices.services.addresses import address_create
from tests.mailboxes.conftest import PASSWORD
from tests.mailstack.harness import free_port

pytestmark = pytest.mark.django_db

SOURCE = {"host": "127.0.0.1", "port": 993, "security": "ssl", "login": "max@alt.example"}
OLD_PASSWORD = "Geheim-Alt-123"
FOLDERS = [
    {"name": "INBOX", "target": "INBOX", "messages": 3, "bytes": 300, "special": ""},
    {"name": "Gesendete Objekte", "target": "Sent", "messages": 2, "bytes": 200, "special": "sent"},
]


def _preview(address, user, **fields):
    """A preview as the worker leaves it: done, counted, the password still sealed."""
    return ImportPreview.objects.create(
        address=address,
        requested_by=user,
        **{
            "secret": sealing.seal({"password": OLD_PASSWORD}),
            "state": ImportPreview.State.DONE,
            "finished_at": timezone.now(),
            "folders": FOLDERS,
            "messages": 5,
            "size_bytes": 500,
            **SOURCE,
            **fields,
        },
    )


def _job(address, **fields):
    return MailImport.objects.create(
        address=address,
        secret=sealing.seal({"password": OLD_PASSWORD}),
        **{**SOURCE, **fields},
    )


def test_every_url_answers_404_for_another_customers_address_and_job(
    client, mailbox, other_customer, customer
):
    job, preview = _job(mailbox), _preview(mailbox, customer.owner, state="queued")
    client.force_login(other_customer.owner)
    urls = [
        ("get", reverse("mailboxes:import_new", args=[mailbox.pk])),
        ("post", reverse("mailboxes:import_new", args=[mailbox.pk])),
        ("get", reverse("mailboxes:import_preview", args=[preview.pk])),
        ("post", reverse("mailboxes:import_preview_cancel", args=[preview.pk])),
        ("post", reverse("mailboxes:import_start", args=[preview.pk])),
        ("get", reverse("mailboxes:import_detail", args=[job.pk])),
        ("post", reverse("mailboxes:import_cancel", args=[job.pk])),
    ]
    for method, url in urls:
        assert getattr(client, method)(url).status_code == 404, url
    job.refresh_from_db()
    preview.refresh_from_db()
    assert job.state == MailImport.State.QUEUED and preview.state == ImportPreview.State.QUEUED


def test_a_preview_is_only_for_the_user_who_asked(customer_client, mailbox, make_user):
    """It holds that user's password: another user of the same customer cannot start it."""
    foreign = _preview(mailbox, make_user())
    for method, name in (("get", "import_preview"), ("post", "import_start")):
        url = reverse(f"mailboxes:{name}", args=[foreign.pk])
        assert getattr(customer_client, method)(url).status_code == 404
    assert not MailImport.objects.exists()


def test_form_refuses_plaintext_to_a_remote_host(customer_client, mailbox):
    page = customer_client.post(
        reverse("mailboxes:import_new", args=[mailbox.pk]),
        {**SOURCE, "host": "imap.example.com", "security": "none", "password": "x"},
    )
    assert page.status_code == 200
    assert "Ohne Verschlüsselung geht es nur zu 127.0.0.1" in page.content.decode()
    assert not ImportPreview.objects.exists()


def test_form_queues_the_preview_and_its_page_polls(
    customer_client, mailbox, customer, django_capture_on_commit_callbacks
):
    """The request only stores the job: no connection to the old provider while it waits."""
    with (
        mock.patch("mailservices.mailboxes.tasks.import_preview_task.delay") as delay,
        mock.patch("mailservices.mailboxes.imap.connection.connect") as connect,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = customer_client.post(
            reverse("mailboxes:import_new", args=[mailbox.pk]),
            {**SOURCE, "password": OLD_PASSWORD},
            headers={"accept-language": "fr"},
        )
    job = ImportPreview.objects.get()
    url = reverse("mailboxes:import_preview", args=[job.pk])
    assert response.status_code == 302 and response.url == url
    assert connect.call_count == 0
    assert [c.args for c in delay.call_args_list] == [(job.pk,)]  # the primary key only
    assert job.state == ImportPreview.State.QUEUED and job.requested_by == customer.owner
    assert job.secret and OLD_PASSWORD not in job.secret
    assert sealing.unseal(job.secret) == {"password": OLD_PASSWORD}
    assert job.language == "fr"

    page = customer_client.get(url).content.decode()
    assert f'hx-get="{url}"' in page and '<meta http-equiv="refresh"' in page
    assert "Vorschau abbrechen" in page and OLD_PASSWORD not in page
    partial = customer_client.get(url, headers={"HX-Request": "true"})
    assert partial["HX-Retarget"] == "#import-preview-run"
    assert "<html" not in partial.content.decode()


def test_too_many_previews_from_one_client_get_a_form_error_and_keep_the_input(
    customer_client, mailbox, settings
):
    """Each preview makes a worker log in elsewhere: a client gets a bounded number per hour."""
    settings.PORTAL_RATE_LIMITS = {"import_preview": "2/h"}
    url = reverse("mailboxes:import_new", args=[mailbox.pk])
    with mock.patch("mailservices.mailboxes.tasks.import_preview_task.delay"):
        answers = [
            customer_client.post(url, {**SOURCE, "password": OLD_PASSWORD}) for _ in range(3)
        ]
    assert [a.status_code for a in answers] == [302, 302, 200]
    page = answers[-1].content.decode()
    assert "zu viele Vorschauen" in page
    assert 'value="max@alt.example"' in page and OLD_PASSWORD not in page
    assert ImportPreview.objects.filter(address=mailbox).count() == 2


def test_a_new_request_cancels_the_waiting_one(mailbox, customer):
    with mock.patch("mailservices.mailboxes.tasks.import_preview_task.delay"):
        first = import_preview_request(
            address=mailbox, user=customer.owner, password=OLD_PASSWORD, **SOURCE
        )
        second = import_preview_request(
            address=mailbox, user=customer.owner, password=OLD_PASSWORD, **SOURCE
        )
    first.refresh_from_db()
    assert first.state == ImportPreview.State.CANCELLED and first.secret == ""
    assert second.state == ImportPreview.State.QUEUED and second.secret


def test_unreachable_server_fails_the_preview_with_a_clear_message(
    customer_client, mailbox, customer, caplog
):
    with mock.patch("mailservices.mailboxes.tasks.import_preview_task.delay"):
        job = import_preview_request(
            address=mailbox,
            user=customer.owner,
            password=OLD_PASSWORD,
            **{**SOURCE, "port": free_port(), "security": "none"},
        )
    import_preview_execute(job_pk=job.pk)
    job.refresh_from_db()
    assert job.state == ImportPreview.State.FAILED and "nicht erreichbar" in job.error
    assert job.secret == ""
    assert import_preview_execute(job_pk=job.pk) is None  # run twice: nothing happens
    page = customer_client.get(reverse("mailboxes:import_preview", args=[job.pk]))
    text = page.content.decode()
    assert "Vorschau fehlgeschlagen" in text and "nicht erreichbar" in text
    assert "hx-get" not in text and "Import starten" not in text
    assert f"login={job.login.replace('@', '%40')}" in text  # the form again, filled in
    assert OLD_PASSWORD not in text + caplog.text + job.error


def test_preview_errors_are_written_in_the_language_of_the_request(mailbox, customer):
    with mock.patch("mailservices.mailboxes.tasks.import_preview_task.delay"):
        job = import_preview_request(
            address=mailbox,
            user=customer.owner,
            password=OLD_PASSWORD,
            language="en",
            **{**SOURCE, "port": free_port(), "security": "none"},
        )
    import_preview_execute(job_pk=job.pk)
    job.refresh_from_db()
    assert job.state == ImportPreview.State.FAILED
    assert "nicht erreichbar" not in job.error and "127.0.0.1" in job.error


def test_done_preview_shows_folders_and_whether_they_fit(customer_client, mailbox, customer):
    job = _preview(mailbox, customer.owner)
    page = customer_client.get(reverse("mailboxes:import_preview", args=[job.pk]))
    text = page.content.decode()
    assert "Gesendete Objekte" in text and "Passt: In Ihrem Postfach sind noch" in text
    assert "Import starten" in text and "hx-get" not in text and "refresh" not in text
    assert OLD_PASSWORD not in text and job.secret not in text


def test_start_queues_one_job_with_the_password_and_forgets_it_in_the_preview(
    customer_client, mailbox, customer
):
    preview = _preview(mailbox, customer.owner)
    url = reverse("mailboxes:import_start", args=[preview.pk])
    with mock.patch("mailservices.mailboxes.tasks.import_run_task.delay") as delay:
        response = customer_client.post(url)
    job = MailImport.objects.get()
    assert response.status_code == 302 and response.url.endswith(f"/imports/{job.pk}/")
    assert job.state == MailImport.State.QUEUED and job.preview_bytes == 500
    assert [f["name"] for f in job.preview] == ["INBOX", "Gesendete Objekte"]
    assert job.secret and OLD_PASSWORD not in job.secret
    assert sealing.unseal(job.secret) == {"password": OLD_PASSWORD}
    assert delay.call_count == 0  # queued on commit; the task gets the primary key only
    preview.refresh_from_db()
    assert preview.secret == "" and preview.mail_import == job

    again = customer_client.post(url)  # pressed twice: the same import
    assert again.url == response.url and MailImport.objects.count() == 1
    page = customer_client.get(reverse("mailboxes:import_preview", args=[preview.pk]))
    assert "Der Import aus dieser Vorschau ist gestartet" in page.content.decode()


def test_start_refuses_a_second_import_for_the_address(customer_client, mailbox, customer):
    _job(mailbox)
    preview = _preview(mailbox, customer.owner)
    response = customer_client.post(
        reverse("mailboxes:import_start", args=[preview.pk]), follow=True
    )
    assert "läuft bereits ein Import" in response.content.decode()
    assert MailImport.objects.count() == 1


@pytest.mark.parametrize(
    "fields",
    [
        {"finished_at": timezone.now() - timedelta(minutes=16)},  # too old
        {"state": "failed", "secret": ""},
        {"state": "running", "finished_at": None},
    ],
)
def test_start_refuses_an_expired_failed_or_unfinished_preview(
    customer_client, mailbox, customer, fields
):
    preview = _preview(mailbox, customer.owner, **fields)
    response = customer_client.post(
        reverse("mailboxes:import_start", args=[preview.pk]), follow=True
    )
    assert "Die Vorschau ist abgelaufen" in response.content.decode()
    assert not MailImport.objects.exists()


def test_cancel_preview_deletes_the_password_and_shows_the_form_again(
    customer_client, mailbox, customer
):
    preview = _preview(mailbox, customer.owner, state="running", finished_at=None)
    response = customer_client.post(
        reverse("mailboxes:import_preview_cancel", args=[preview.pk]), follow=True
    )
    preview.refresh_from_db()
    assert preview.state == ImportPreview.State.CANCELLED and preview.secret == ""
    text = response.content.decode()
    assert "Die Vorschau wurde abgebrochen" in text and 'value="max@alt.example"' in text
    assert import_preview_execute(job_pk=preview.pk) is None  # a late worker does nothing


def test_expiry_forgets_passwords_in_time_and_fails_lost_previews(mailbox, customer):
    now = timezone.now()
    fresh = _preview(mailbox, customer.owner)
    stale = _preview(mailbox, customer.owner, finished_at=now - timedelta(minutes=16))
    lost = _preview(
        mailbox, customer.owner, state="queued", finished_at=None,
        queued_at=now - timedelta(minutes=6),
    )  # fmt: skip
    waiting = _preview(mailbox, customer.owner, state="queued", finished_at=None)
    old = _preview(mailbox, customer.owner, finished_at=now - timedelta(days=2), secret="")
    assert lost.is_lost and not waiting.is_lost
    assert import_previews_expire() == 2
    for job in (fresh, stale, lost, waiting):
        job.refresh_from_db()
    assert fresh.secret and fresh.is_startable and waiting.secret
    assert stale.secret == "" and not stale.is_startable
    assert lost.state == ImportPreview.State.FAILED and lost.secret == ""
    assert "unterbrochen" in lost.error
    assert not ImportPreview.objects.filter(pk=old.pk).exists()


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


@pytest.mark.parametrize("language", ["en", "fr", "it"])
def test_preview_pages_speak_the_language(
    customer_client, mailbox, customer, language, german_leftovers
):
    from django.conf import settings

    customer_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    jobs = [
        _preview(mailbox, customer.owner, state="queued", finished_at=None),
        _preview(mailbox, customer.owner, state="running", finished_at=None, progress_total=4),
        _preview(mailbox, customer.owner),
        _preview(mailbox, customer.owner, finished_at=timezone.now() - timedelta(hours=1)),
        _preview(mailbox, customer.owner, state="failed", error="x", secret=""),
        _preview(mailbox, customer.owner, state="cancelled", secret=""),
    ]
    for job in jobs:
        page = customer_client.get(reverse("mailboxes:import_preview", args=[job.pk]))
        assert page.status_code == 200
        assert not german_leftovers(page.content.decode(), language), job.state
