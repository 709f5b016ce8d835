"""Writes of the reports: a mail from Postfix -> a job -> a stored report with its rows."""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from mailservices.models import Domain
from mailservices.reports import reverse_dns as reports_dns
from mailservices.reports.app_settings import app_settings
from mailservices.reports.models import DmarcRecord, Report, ReportMail, SourceHost, TlsResult
from mailservices.reports.parser import Report as ParsedReport
from mailservices.reports.parser import ReportError, parse_report
from portal.core.jobs import job_claim, job_fail, job_finish, job_progress


def report_mail_receive(*, raw: bytes, recipient: str = "") -> ReportMail:
    """Stores a report mail and queues its ingestion (after the commit)."""
    from mailservices.reports.tasks import report_mail_process_task

    with transaction.atomic():
        mail = ReportMail(raw=raw, recipient=recipient[:320], size=len(raw), progress_total=3)
        mail.full_clean(exclude=["raw"])
        mail.save()
        transaction.on_commit(lambda: report_mail_process_task.delay(mail.pk))
    return mail


def _auth_domains(row: dict) -> tuple[str, str]:
    dkim = [a.get("domain", "") for a in row.get("auth", []) if a.get("method") == "dkim"]
    spf = [a.get("domain", "") for a in row.get("auth", []) if a.get("method") == "spf"]
    return ",".join(d for d in dkim if d)[:500], (spf[0] if spf else "")[:253]


def report_store(*, parsed: ParsedReport) -> tuple[Report, bool]:
    """Saves a parsed report once (kind, org and report id identify it); (report, created)."""
    existing = Report.objects.filter(
        kind=parsed.kind, org=parsed.org, report_id=parsed.report_id
    ).first()
    if existing is not None:
        return existing, False
    domain = Domain.objects.filter(name=parsed.domain).first()
    try:
        with transaction.atomic():
            report = Report(
                kind=parsed.kind,
                org=parsed.org,
                report_id=parsed.report_id,
                domain_name=parsed.domain,
                domain=domain,
                begin=parsed.begin,
                end=parsed.end,
                policy=parsed.policy,
                contact=parsed.contact,
            )
            report.full_clean(exclude=["domain"])
            report.save()
            if parsed.kind == Report.Kind.DMARC:
                records = []
                for row in parsed.rows:
                    dkim_domains, spf_domain = _auth_domains(row)
                    records.append(
                        DmarcRecord(
                            report=report,
                            source_ip=row["source_ip"],
                            count=row["count"],
                            disposition=row["disposition"],
                            dkim=row["dkim"],
                            spf=row["spf"],
                            header_from=row["header_from"],
                            dkim_domains=dkim_domains,
                            spf_domain=spf_domain,
                        )
                    )
                DmarcRecord.objects.bulk_create(records, batch_size=1000)
            else:
                TlsResult.objects.bulk_create(
                    [
                        TlsResult(
                            report=report,
                            policy_type=row["policy_type"],
                            policy_domain=row["policy_domain"],
                            success=row["success"],
                            failure=row["failure"],
                            failure_details=row["failure_details"],
                        )
                        for row in parsed.rows
                    ]
                )
    except IntegrityError:  # the same report, stored meanwhile by another worker
        return Report.objects.get(
            kind=parsed.kind, org=parsed.org, report_id=parsed.report_id
        ), False
    return report, True


def source_hosts_resolve(*, ips, resolver=None) -> None:
    """Looks up reverse names of source IPs not seen in the last week."""
    resolver = resolver or reports_dns.reverse_name
    fresh_since = timezone.now() - timedelta(days=7)
    known = set(
        SourceHost.objects.filter(ip__in=ips, looked_up_at__gte=fresh_since).values_list(
            "ip", flat=True
        )
    )
    for ip in sorted(set(ips) - known)[:200]:
        name = resolver(ip)
        SourceHost.objects.update_or_create(
            ip=ip,
            defaults={
                "reverse_name": name[:253],
                "organisation": reports_dns.organisation_of(name)[:253],
            },
        )


def report_mail_process(*, mail: ReportMail) -> Report | None:
    """The ingestion job: parse the mail's report, store it, name its sources."""
    if not job_claim(job=mail):
        return None
    try:
        parsed = parse_report(bytes(mail.raw))
    except ReportError as exc:
        job_fail(job=mail, error=str(exc)[:500])
        return None
    job_progress(job=mail, done=1)
    report, _created = report_store(parsed=parsed)
    job_progress(job=mail, done=2)
    if app_settings.REVERSE_DNS and report.kind == Report.Kind.DMARC:
        ips = list(report.dmarc_records.values_list("source_ip", flat=True).distinct())
        source_hosts_resolve(ips=ips)
    job_finish(job=mail, report=report, progress_done=3)
    return report


def reports_prune(*, now=None) -> int:
    """Deletes reports past KEEP_DAYS and finished report mails older than a week."""
    now = now or timezone.now()
    deleted, _ = Report.objects.filter(
        end__lt=now - timedelta(days=app_settings.KEEP_DAYS)
    ).delete()
    ReportMail.objects.filter(
        state__in=[ReportMail.State.DONE, ReportMail.State.FAILED],
        queued_at__lt=now - timedelta(days=7),
    ).delete()
    return deleted
