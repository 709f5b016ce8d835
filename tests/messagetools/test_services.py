"""Phishing reports: stored with their evidence, sent to the abuse team, triaged by staff."""

import hashlib

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import override_settings

from messagetools.engine import NotAMessage
from messagetools.models import PhishingReport
from messagetools.services import (
    phishing_report_create,
    phishing_report_notify_abuse,
    phishing_report_triage,
)
from tests.messagetools.test_report import phishing_message

pytestmark = pytest.mark.django_db


def create(customer, raw=None, note=""):
    return phishing_report_create(
        customer=customer, reported_by=customer.owner, raw=raw or phishing_message(), note=note
    )


@override_settings(PORTAL_ABUSE_EMAIL="abuse-team@alpenpost.example")
def test_report_is_stored_and_sent_to_the_abuse_team(customer, django_capture_on_commit_callbacks):
    raw = phishing_message()
    with django_capture_on_commit_callbacks(execute=True):
        report = create(customer, raw, note="Habe nicht geklickt.")
    report.refresh_from_db()
    assert report.status == "new"
    assert report.original.read() == raw
    assert report.original_sha256 == hashlib.sha256(raw).hexdigest()
    assert report.original_size == len(raw)
    assert report.from_address == "sicherheit@bank-sicher.example"
    assert len(report.urls) == 2 and len(report.attachments) == 2 and len(report.received) == 1
    assert report.abuse_notified_at is not None

    [email] = mail.outbox
    assert email.to == ["abuse-team@alpenpost.example"]
    assert f"#{report.pk}" in email.subject and "Ihr Konto wird gesperrt" in email.subject
    for needle in (
        customer.number,
        "Habe nicht geklickt.",
        "Reply-To: antwort@anderswo.example",
        "Return-Path: <bounce@versand.example>",
        "https://evil.example/login",
        hashlib.sha256(b"<form>").hexdigest(),
        "198.51.100.7",
        "by mx1.alpenpost.example",
        report.original_sha256,
    ):
        assert needle in email.body, needle
    [(filename, content, mimetype)] = email.attachments
    assert filename == f"phishing-meldung-{report.pk}.eml"
    assert content == raw


def test_notifying_twice_sends_once(customer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = create(customer)
    report.refresh_from_db()
    assert phishing_report_notify_abuse(report=report) is False
    assert len(mail.outbox) == 1


def test_not_a_message_stores_nothing(customer):
    with pytest.raises(NotAMessage):
        create(customer, raw=b"\x00\x01binary")
    assert not PhishingReport.objects.exists()


def test_failed_save_removes_the_stored_file(customer, monkeypatch):
    from django.core.files.storage import default_storage

    saved = []
    original_save = default_storage.save

    def tracking_save(name, content, max_length=None):
        result = original_save(name, content, max_length=max_length)
        saved.append(result)
        return result

    monkeypatch.setattr(default_storage, "save", tracking_save)
    monkeypatch.setattr(
        PhishingReport, "save", lambda self, *a, **k: (_ for _ in ()).throw(OSError)
    )
    with pytest.raises(OSError):
        create(customer)
    assert saved and not any(default_storage.exists(name) for name in saved)
    assert not PhishingReport.objects.exists()


def test_triage_workflow_with_notes(customer, staff_user):
    report = create(customer)
    phishing_report_triage(
        report=report, status="confirmed", note="Bekannte Kampagne.", by=staff_user
    )
    report.refresh_from_db()
    assert (report.status, report.outcome) == ("confirmed", "confirmed")
    phishing_report_triage(report=report, status="closed", note="Domain gemeldet.", by=staff_user)
    report.refresh_from_db()
    assert (report.status, report.outcome) == ("closed", "confirmed")
    notes = list(report.notes.values_list("status_from", "status_to", "text", "author"))
    assert notes == [
        ("new", "confirmed", "Bekannte Kampagne.", staff_user.pk),
        ("confirmed", "closed", "Domain gemeldet.", staff_user.pk),
    ]


@pytest.mark.parametrize(
    ("path", "target"),
    [((), "closed"), (("confirmed",), "false_positive"), (("false_positive", "closed"), "new")],
)
def test_triage_refuses_other_steps(customer, staff_user, path, target):
    report = create(customer)
    for status in path:
        phishing_report_triage(report=report, status=status, note="", by=staff_user)
    with pytest.raises(ValidationError):
        phishing_report_triage(report=report, status=target, note="", by=staff_user)


def test_a_note_without_status_change(customer, staff_user):
    report = create(customer)
    phishing_report_triage(
        report=report, status="new", note="Rückfrage beim Kunden.", by=staff_user
    )
    report.refresh_from_db()
    assert report.status == "new"
    assert report.notes.get().text == "Rückfrage beim Kunden."


def test_a_failed_abuse_email_is_not_recorded_and_may_be_retried(customer):
    from unittest import mock

    report = create(customer)  # no on_commit: the task has not run
    with (
        mock.patch("django.core.mail.EmailMessage.send", side_effect=OSError("smtp down")),
        pytest.raises(OSError),
    ):
        phishing_report_notify_abuse(report=report)
    report.refresh_from_db()
    assert report.abuse_notified_at is None and mail.outbox == []
    assert phishing_report_notify_abuse(report=report) is True
    assert phishing_report_notify_abuse(report=report) is False
    assert len(mail.outbox) == 1
