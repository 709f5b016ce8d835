"""Template helpers of the diagnosis: the summary on the service page, labels, statuses."""

from django import template
from django.utils.translation import gettext_lazy as _

from mailservices.diagnosis import selectors

register = template.Library()

CHECK_LABELS = {
    "mx": _("Empfang (MX)"),
    "spf": _("Absender-Erlaubnis (SPF)"),
    "dkim": _("Signatur (DKIM)"),
    "dmarc": _("Richtlinie (DMARC)"),
    "autoconfig": _("Automatische Einrichtung"),
    "dav": _("Kalender und Kontakte"),
    "mta_sts": _("Verschlüsselte Zustellung (MTA-STS)"),
    "dnssec": _("Signierte Zone (DNSSEC)"),
}
# The knowledge-base guide that explains each check (kb slugs).
CHECK_GUIDES = {
    "mx": "mx-eintrag",
    "spf": "spf-eintrag",
    "dkim": "dkim-eintrag",
    "dmarc": "dmarc-eintrag",
    "autoconfig": "autoconfig-eintraege",
    "dav": "kontakte-kalender-iphone-mac",
    "mta_sts": "mta-sts",
    "dnssec": "dnssec",
}
STATUS_LABELS = {
    "ok": _("In Ordnung"),
    "warning": _("Warnung"),
    "error": _("Fehler"),
    "unknown": _("Nicht geprüft"),
}


@register.simple_tag
def latest_diagnosis(service):
    """The service's latest finished run and its checks (two queries at most)."""
    run = selectors.latest_finished_run(service=service)
    return {"run": run, "checks": selectors.checks_of(run)}


@register.filter
def check_label(name):
    return CHECK_LABELS.get(name, name)


@register.filter
def status_label(status):
    return STATUS_LABELS.get(status, status)


@register.filter
def check_guide(name):
    return CHECK_GUIDES.get(name, "automatische-diagnose")
