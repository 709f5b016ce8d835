"""DMARC aggregate and TLS-RPT reports about customer domains, and the mails that bring them."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.core.models import Job


class ReportMail(Job):
    """A report mail handed over by Postfix (pipe transport); ingested in the background."""

    recipient = models.CharField(_("Empfänger"), max_length=320, blank=True)
    size = models.PositiveIntegerField(_("Grösse (Bytes)"), default=0)
    raw = models.BinaryField(_("Nachricht"))
    report = models.ForeignKey(
        "reports.Report",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mails",
        verbose_name=_("Bericht"),
    )

    class Meta:
        verbose_name = _("Bericht-Mail")
        verbose_name_plural = _("Bericht-Mails")
        constraints = Job.job_constraints("reports_reportmail")
        indexes = [models.Index(fields=["state", "queued_at"], name="reports_mail_state")]

    def __str__(self):
        return f"{self.recipient} ({self.size} B, {self.state})"


class Report(models.Model):
    """One aggregate report: who (org) reported about which domain for which period."""

    class Kind(models.TextChoices):
        DMARC = "dmarc", _("DMARC")
        TLSRPT = "tlsrpt", _("TLS-RPT")

    kind = models.CharField(_("Art"), max_length=6, choices=Kind.choices)
    org = models.CharField(_("Absender des Berichts"), max_length=255)
    report_id = models.CharField(_("Berichts-ID"), max_length=255)
    domain_name = models.CharField(_("Domain"), max_length=253)
    domain = models.ForeignKey(
        "mailservices.Domain",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Domain des Kunden"),
    )
    begin = models.DateTimeField(_("von"))
    end = models.DateTimeField(_("bis"))
    policy = models.JSONField(_("veröffentlichte Richtlinie"), default=dict, blank=True)
    contact = models.CharField(_("Kontakt"), max_length=255, blank=True)
    received_at = models.DateTimeField(_("empfangen"), auto_now_add=True)

    class Meta:
        verbose_name = _("Bericht")
        verbose_name_plural = _("Berichte")
        constraints = [
            models.UniqueConstraint(fields=["kind", "org", "report_id"], name="reports_unique"),
            models.CheckConstraint(
                condition=Q(kind__in=["dmarc", "tlsrpt"]), name="reports_kind_valid"
            ),
        ]
        indexes = [models.Index(fields=["domain", "kind", "-begin"], name="reports_domain")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.org} {self.domain_name} {self.begin:%Y-%m-%d}"


class DmarcRecord(models.Model):
    """One row of a DMARC report: messages from one source IP and their evaluated results."""

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="dmarc_records", verbose_name=_("Bericht")
    )
    source_ip = models.GenericIPAddressField(_("Quell-IP"))
    count = models.PositiveIntegerField(_("Nachrichten"))
    disposition = models.CharField(_("Behandlung"), max_length=10)
    dkim = models.CharField(_("DKIM"), max_length=4)
    spf = models.CharField(_("SPF"), max_length=4)
    header_from = models.CharField(_("Header-From"), max_length=253, blank=True)
    dkim_domains = models.CharField(_("DKIM-Signaturdomains"), max_length=500, blank=True)
    spf_domain = models.CharField(_("SPF-Domain (Envelope)"), max_length=253, blank=True)

    class Meta:
        verbose_name = _("DMARC-Eintrag")
        verbose_name_plural = _("DMARC-Einträge")

    def __str__(self):
        return f"{self.source_ip} x{self.count}"

    @property
    def aligned(self) -> bool:
        """DMARC passes when DKIM or SPF passes aligned (the policy-evaluated results)."""
        return self.dkim == "pass" or self.spf == "pass"


class TlsResult(models.Model):
    """One policy of a TLS-RPT report: successful and failed TLS sessions towards our MX."""

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="tls_results", verbose_name=_("Bericht")
    )
    policy_type = models.CharField(_("Richtlinie"), max_length=16)
    policy_domain = models.CharField(_("Domain"), max_length=253)
    success = models.PositiveIntegerField(_("erfolgreich"))
    failure = models.PositiveIntegerField(_("fehlgeschlagen"))
    failure_details = models.JSONField(_("Fehler"), default=list, blank=True)

    class Meta:
        verbose_name = _("TLS-RPT-Ergebnis")
        verbose_name_plural = _("TLS-RPT-Ergebnisse")

    def __str__(self):
        return f"{self.policy_type} {self.policy_domain}: {self.success}/{self.failure}"


class SourceHost(models.Model):
    """Reverse name of a reporting source IP, looked up once (and again after a while)."""

    ip = models.GenericIPAddressField(_("IP-Adresse"), unique=True)
    reverse_name = models.CharField(_("Reverse-Name"), max_length=253, blank=True)
    organisation = models.CharField(_("Organisation"), max_length=253, blank=True)
    looked_up_at = models.DateTimeField(_("nachgeschlagen"), auto_now=True)

    class Meta:
        verbose_name = _("Quell-Server")
        verbose_name_plural = _("Quell-Server")

    def __str__(self):
        return f"{self.ip} {self.reverse_name}"
