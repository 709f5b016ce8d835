"""Customer page: the DMARC and TLS-RPT dashboard of one of the customer's domains."""

from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from mailservices.models import Domain
from mailservices.reports.advice import advise
from mailservices.reports.charts import daily_stacked
from mailservices.reports.selectors import DAYS, domain_dashboard
from messagetools.guides import guide_url
from portal.accounts.decorators import customer_required


@customer_required
def domain_reports(request, pk):
    domain = get_object_or_404(Domain.objects.for_customer(request.customer), pk=pk)
    now = timezone.now()
    dashboard = domain_dashboard(domain=domain, now=now)
    advice = [
        (item, guide_url(item.guide_slug) if item.guide_slug else "")
        for item in advise(dashboard, now=now)
    ]
    today = timezone.localdate(now)
    context = {
        "domain": domain,
        "dashboard": dashboard,
        "advice": advice,
        "days": DAYS,
        "dmarc_chart": daily_stacked(dashboard.daily, end=today, days=DAYS),
        "tls_chart": daily_stacked(dashboard.tls_daily, end=today, days=DAYS),
    }
    return render(request, "reports/domain_reports.html", context)
