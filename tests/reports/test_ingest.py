"""Report mails -> jobs -> stored reports (idempotent), and the pipe command Postfix runs."""

import io
import sys

import pytest
from django.core.management import call_command

from mailservices.reports.models import DmarcRecord, Report, ReportMail, SourceHost, TlsResult
from mailservices.reports.parser import parse_report
from mailservices.reports.services import (
    report_mail_process,
    report_mail_receive,
    report_store,
    source_hosts_resolve,
)
from tests.reports.conftest import gz, report_mail, sample

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_reverse_dns(settings):
    settings.PORTAL_REPORTS_REVERSE_DNS = False


def test_report_mail_is_ingested_by_the_job(world_reports, django_capture_on_commit_callbacks):
    raw = report_mail(gz(sample("dmarc_rfc7489.xml")), "r.xml.gz", "application/gzip")
    with django_capture_on_commit_callbacks(execute=True):
        mail = report_mail_receive(raw=raw, recipient="dmarc-reports@alpenpost.example")
    mail.refresh_from_db()  # the task ran eagerly on commit
    assert mail.state == ReportMail.State.DONE
    report = mail.report
    assert (report.kind, report.domain, report.org) == ("dmarc", world_reports, "receiver.example")
    assert DmarcRecord.objects.filter(report=report).count() == 2
    failing = DmarcRecord.objects.get(report=report, source_ip="198.51.100.77")
    assert failing.spf_domain == "bounces.newsletter-tool.example"
    assert not failing.aligned


def test_same_report_twice_is_stored_once(world_reports):
    parsed = parse_report(sample("tlsrpt.json"))
    first, created = report_store(parsed=parsed)
    again, created_again = report_store(parsed=parsed)
    assert (created, created_again) == (True, False)
    assert first == again
    assert TlsResult.objects.count() == 2


def test_not_a_report_fails_the_job_with_its_reason(world_reports):
    mail = ReportMail.objects.create(raw=b"Subject: hi\n\nno report here", size=10)
    assert report_mail_process(mail=mail) is None
    mail.refresh_from_db()
    assert mail.state == ReportMail.State.FAILED
    assert "no DMARC or TLS-RPT report" in mail.error
    assert report_mail_process(mail=mail) is None  # safe to run twice: nothing to claim


def test_report_for_an_unknown_domain_is_kept_without_owner(db):
    report, _ = report_store(parsed=parse_report(sample("dmarc_bis.xml")))
    assert report.domain is None and report.domain_name == "kunde-b.ch"


def test_reverse_names_grouped_by_organisation(db):
    names = {"192.0.2.10": "mail-40.out.newsletter-tool.example", "192.0.2.11": ""}
    source_hosts_resolve(ips=list(names), resolver=names.get)
    host = SourceHost.objects.get(ip="192.0.2.10")
    assert host.organisation == "newsletter-tool.example"
    assert SourceHost.objects.get(ip="192.0.2.11").organisation == ""


def test_pipe_command_stores_stdin(world_reports, monkeypatch, django_capture_on_commit_callbacks):
    raw = report_mail(sample("tlsrpt.json"), "r.json", "application/tlsrpt+json")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("report_receive", "tlsrpt-reports@alpenpost.example", stdout=out)
    mail = ReportMail.objects.get()
    assert mail.recipient == "tlsrpt-reports@alpenpost.example"
    assert mail.state == ReportMail.State.DONE
    assert Report.objects.get().kind == "tlsrpt"
