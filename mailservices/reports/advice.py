"""Concrete advice from a domain's dashboard: who fails, what to publish, when to tighten."""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.core.app_settings import app_settings as portal_settings

ALIGNED_DAYS_FOR_STRICTER = 30


@dataclass(frozen=True)
class Advice:
    level: str  # "ok" | "warning" | "error"
    text: str
    guide_slug: str = ""


def advise(dashboard, *, now) -> list[Advice]:
    advice: list[Advice] = []
    if not dashboard.total:
        advice.append(
            Advice(
                "warning",
                _(
                    "Noch keine DMARC-Berichte für diese Domain. Damit Empfänger sie senden, "
                    "muss Ihr DMARC-Eintrag rua=mailto:%(address)s enthalten; die Diagnose "
                    "zeigt den vollständigen Eintrag."
                )
                % {"address": _report_address()},
                "dmarc-eintrag",
            )
        )
    for group in dashboard.organisations:
        failing = group.failing_sources
        if not failing:
            continue
        count = len(failing)
        messages = sum(s.failed for s in failing)
        if group.ours:
            advice.append(
                Advice(
                    "error",
                    ngettext(
                        "%(count)d unserer Server sendet als Ihre Domain, besteht aber DMARC "
                        "nicht (%(messages)d Nachrichten): Ihr SPF- oder DKIM-Eintrag fehlt oder "
                        "ist falsch. Lassen Sie die Diagnose laufen und veröffentlichen Sie, was "
                        "sie anzeigt.",
                        "%(count)d unserer Server senden als Ihre Domain, bestehen aber DMARC "
                        "nicht (%(messages)d Nachrichten): Ihr SPF- oder DKIM-Eintrag fehlt oder "
                        "ist falsch. Lassen Sie die Diagnose laufen und veröffentlichen Sie, was "
                        "sie anzeigt.",
                        count,
                    )
                    % {"count": count, "messages": messages},
                    "dns-eintraege",
                )
            )
            continue
        who = group.name or _("unbekannter Herkunft")
        spf_domains = sorted({d for s in failing for d in s.spf_domains})
        include = (
            _("fügen Sie die SPF-Angabe dieses Anbieters (include:…) Ihrem SPF-Eintrag hinzu")
            if not spf_domains
            else _(
                "lassen Sie den Anbieter mit Ihrer Domain als Absender (Return-Path) senden, "
                "denn SPF gilt heute nur für %(domains)s"
            )
            % {"domains": ", ".join(spf_domains[:3])}
        )
        advice.append(
            Advice(
                "warning" if group.passed else "error",
                ngettext(
                    "%(count)d Server von %(who)s sendet als Ihre Domain, besteht aber weder "
                    "SPF noch DKIM (%(messages)d Nachrichten). Ist das Ihr Newsletter- oder "
                    "Shop-Werkzeug, %(include)s oder signieren Sie dort mit DKIM. Kennen Sie "
                    "den Absender nicht, ist es Missbrauch: dann hilft eine strengere "
                    "DMARC-Richtlinie.",
                    "%(count)d Server von %(who)s senden als Ihre Domain, bestehen aber weder "
                    "SPF noch DKIM (%(messages)d Nachrichten). Ist das Ihr Newsletter- oder "
                    "Shop-Werkzeug, %(include)s oder signieren Sie dort mit DKIM. Kennen Sie "
                    "den Absender nicht, ist es Missbrauch: dann hilft eine strengere "
                    "DMARC-Richtlinie.",
                    count,
                )
                % {"count": count, "who": who, "messages": messages, "include": include},
                "dmarc-eintrag",
            )
        )
    policy = (dashboard.policy.get("p") or "none").lower()
    covered_days = (now - dashboard.first_report).days if dashboard.first_report else 0
    if dashboard.total and dashboard.passed == dashboard.total:
        if covered_days >= ALIGNED_DAYS_FOR_STRICTER and policy in ("none", "quarantine"):
            stricter = "quarantine" if policy == "none" else "reject"
            advice.append(
                Advice(
                    "ok",
                    _(
                        "Sie können zu p=%(stricter)s wechseln: seit %(days)d Tagen sind 100 %% "
                        "Ihrer Nachrichten DMARC-konform."
                    )
                    % {"stricter": stricter, "days": covered_days},
                    "dmarc-eintrag",
                )
            )
        elif policy != "reject":
            advice.append(
                Advice(
                    "ok",
                    _(
                        "Alle gemeldeten Nachrichten sind DMARC-konform. Nach %(days)d Tagen "
                        "ohne Fehler empfehlen wir eine strengere Richtlinie."
                    )
                    % {"days": ALIGNED_DAYS_FOR_STRICTER},
                )
            )
    elif dashboard.total and policy in ("quarantine", "reject"):
        advice.append(
            Advice(
                "error",
                _(
                    "Ihre Richtlinie p=%(policy)s lässt die Empfänger %(percent)d %% nicht "
                    "konformer Nachrichten ablehnen oder als Spam ablegen. Sind echte Absender "
                    "darunter (oben), korrigieren Sie diese zuerst."
                )
                % {"policy": policy, "percent": 100 - dashboard.percent},
                "dmarc-eintrag",
            )
        )
    if dashboard.tls_total_failure:
        kinds = ", ".join(f["result_type"] for f in dashboard.tls_failures[:3])
        advice.append(
            Advice(
                "warning",
                _(
                    "%(failures)d Verbindungen anderer Server zu unseren Eingangsservern "
                    "(MX) konnten nicht verschlüsselt werden (%(kinds)s). Steht in Ihrer "
                    "MTA-STS-Richtlinie ein MX, der nicht mehr stimmt, passen Sie sie an; "
                    "sonst kümmern wir uns darum."
                )
                % {"failures": dashboard.tls_total_failure, "kinds": kinds or "?"},
            )
        )
    return advice


def _report_address() -> str:
    from mailservices.reports.app_settings import app_settings

    addresses = app_settings.ADDRESSES
    return addresses[0] if addresses else f"dmarc-reports@{portal_settings.PROVIDER_DOMAIN}"
