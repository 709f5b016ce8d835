"""Reads of the reports: a customer domain's DMARC and TLS-RPT dashboard."""

import ipaddress
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from mailservices.reports.models import DmarcRecord, Report, SourceHost, TlsResult
from portal.core.app_settings import app_settings as portal_settings

DAYS = 30
_PASS = Q(dkim="pass") | Q(spf="pass")


@dataclass
class Source:
    ip: str
    reverse_name: str
    total: int
    passed: int
    spf_fail: int
    dkim_fail: int
    spf_domains: set = field(default_factory=set)
    dkim_domains: set = field(default_factory=set)

    @property
    def failed(self) -> int:
        return self.total - self.passed


@dataclass
class Organisation:
    name: str  # registrable domain of the reverse names, or "" (unknown)
    ours: bool  # the provider's own outbound servers
    sources: list[Source] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(s.total for s in self.sources)

    @property
    def passed(self) -> int:
        return sum(s.passed for s in self.sources)

    @property
    def failed(self) -> int:
        return self.total - self.passed

    @property
    def percent(self) -> int:
        return round(100 * self.passed / self.total) if self.total else 0

    @property
    def failing_sources(self) -> list[Source]:
        return [s for s in self.sources if s.failed]


@dataclass
class Dashboard:
    domain: object
    since: object
    organisations: list[Organisation]
    total: int
    passed: int
    daily: dict
    policy: dict
    first_report: object
    report_count: int
    tls_daily: dict
    tls_failures: list[dict]
    tls_total_success: int
    tls_total_failure: int
    advice: list = field(default_factory=list)

    @property
    def percent(self) -> int:
        return round(100 * self.passed / self.total) if self.total else 0


def _ours(ip: str) -> bool:
    try:
        address = ipaddress.ip_address(ip)
        return any(
            address in ipaddress.ip_network(net, strict=False)
            for net in portal_settings.OUTBOUND_IPS
        )
    except ValueError:
        return False


def domain_dashboard(*, domain, now=None) -> Dashboard:
    """What the reports of the last 30 days say about one of the customer's domains."""
    now = now or timezone.now()
    since = now - timedelta(days=DAYS)
    records = DmarcRecord.objects.filter(
        report__domain=domain, report__kind=Report.Kind.DMARC, report__begin__gte=since
    )
    per_source = list(
        records.values("source_ip").annotate(
            total=Sum("count"),
            passed=Sum("count", filter=_PASS),
            spf_fail=Sum("count", filter=~Q(spf="pass")),
            dkim_fail=Sum("count", filter=~Q(dkim="pass")),
        )
    )
    auth = defaultdict(lambda: (set(), set()))
    for ip, spf_domain, dkim_domains in records.exclude(_PASS).values_list(
        "source_ip", "spf_domain", "dkim_domains"
    )[:5000]:
        spf_set, dkim_set = auth[ip]
        if spf_domain:
            spf_set.add(spf_domain)
        dkim_set.update(d for d in dkim_domains.split(",") if d)
    ips = [row["source_ip"] for row in per_source]
    hosts = {
        h.ip: h
        for h in SourceHost.objects.filter(ip__in=ips).only("ip", "reverse_name", "organisation")
    }
    groups: dict[tuple[bool, str], Organisation] = {}
    for row in per_source:
        ip = row["source_ip"]
        host = hosts.get(ip)
        ours = _ours(ip)
        name = portal_settings.PROVIDER_NAME if ours else (host.organisation if host else "")
        group = groups.setdefault((ours, name), Organisation(name=name, ours=ours))
        spf_set, dkim_set = auth.get(ip, (set(), set()))
        group.sources.append(
            Source(
                ip=ip,
                reverse_name=host.reverse_name if host else "",
                total=row["total"] or 0,
                passed=row["passed"] or 0,
                spf_fail=row["spf_fail"] or 0,
                dkim_fail=row["dkim_fail"] or 0,
                spf_domains=spf_set,
                dkim_domains=dkim_set,
            )
        )
    organisations = sorted(groups.values(), key=lambda g: (-g.total, g.name))
    for group in organisations:
        group.sources.sort(key=lambda s: -s.total)
    daily = {
        row["day"]: (row["passed"] or 0, (row["total"] or 0) - (row["passed"] or 0))
        for row in records.annotate(day=TruncDate("report__begin"))
        .values("day")
        .annotate(total=Sum("count"), passed=Sum("count", filter=_PASS))
    }
    reports = Report.objects.filter(domain=domain, kind=Report.Kind.DMARC)
    latest = reports.order_by("-begin").values("policy", "begin").first()
    first = reports.order_by("begin").values_list("begin", flat=True).first()
    tls = TlsResult.objects.filter(
        report__domain=domain, report__kind=Report.Kind.TLSRPT, report__begin__gte=since
    )
    tls_daily = {
        row["day"]: (row["ok"] or 0, row["bad"] or 0)
        for row in tls.annotate(day=TruncDate("report__begin"))
        .values("day")
        .annotate(ok=Sum("success"), bad=Sum("failure"))
    }
    failures: dict[tuple, dict] = {}
    for report_org, details in tls.filter(failure__gt=0).values_list(
        "report__org", "failure_details"
    )[:2000]:
        for detail in details:
            key = (detail.get("result_type", ""), detail.get("receiving_mx_hostname", ""))
            entry = failures.setdefault(
                key,
                {"result_type": key[0], "mx": key[1], "sessions": 0, "reporters": set()},
            )
            entry["sessions"] += detail.get("failed_session_count", 0)
            entry["reporters"].add(report_org)
    total = sum(g.total for g in organisations)
    passed = sum(g.passed for g in organisations)
    return Dashboard(
        domain=domain,
        since=since,
        organisations=organisations,
        total=total,
        passed=passed,
        daily=daily,
        policy=(latest or {}).get("policy", {}),
        first_report=first,
        report_count=reports.filter(begin__gte=since).count(),
        tls_daily=tls_daily,
        tls_failures=sorted(failures.values(), key=lambda f: -f["sessions"]),
        tls_total_success=sum(ok for ok, _bad in tls_daily.values()),
        tls_total_failure=sum(bad for _ok, bad in tls_daily.values()),
    )
