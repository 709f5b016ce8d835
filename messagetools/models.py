"""Message checks (run in Celery) and phishing reports: what a customer reported, what staff
decided."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import Customer
from portal.core.models import Job


def report_upload_to(instance, filename):
    """Originals are stored under a random name; the customer's file name is not trusted."""
    return f"phishing/{uuid.uuid4().hex}.eml"


class ReportStatus(models.TextChoices):
    """Where staff are with a phishing report."""

    NEW = "new", _("Neu")
    CONFIRMED = "confirmed", _("Als Phishing bestätigt")
    FALSE_POSITIVE = "false_positive", _("Kein Phishing")
    CLOSED = "closed", _("Abgeschlossen")


class PhishingReportQuerySet(models.QuerySet):
    def for_customer(self, customer):
        return self.filter(customer=customer)


class PhishingReport(models.Model):
    """A suspicious message a customer reported ("Als Phishing melden"), with its evidence."""

    Status = ReportStatus

    # Staff triage: new → confirmed | false positive → closed.
    TRANSITIONS = {
        Status.NEW: (Status.CONFIRMED, Status.FALSE_POSITIVE),
        Status.CONFIRMED: (Status.CLOSED,),
        Status.FALSE_POSITIVE: (Status.CLOSED,),
        Status.CLOSED: (),
    }

    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        related_name="phishing_reports",
        verbose_name=_("Kunde"),
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Gemeldet von"),
    )
    status = models.CharField(
        _("Status"), max_length=20, choices=Status.choices, default=Status.NEW
    )
    outcome = models.CharField(
        _("Ergebnis"),
        max_length=20,
        choices=Status.choices,
        blank=True,
        help_text=_("Bestätigt oder kein Phishing; bleibt nach dem Abschluss erhalten."),
    )
    customer_note = models.TextField(_("Bemerkung des Kunden"), blank=True, max_length=2000)
    subject = models.CharField(_("Betreff"), max_length=998, blank=True)
    from_header = models.CharField(_("Von (From)"), max_length=998, blank=True)
    from_address = models.CharField(_("Absenderadresse"), max_length=320, blank=True)
    reply_to = models.CharField(_("Antwort an (Reply-To)"), max_length=998, blank=True)
    return_path = models.CharField(_("Return-Path"), max_length=998, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=998, blank=True)
    sent_date = models.CharField(_("Datum laut Nachricht"), max_length=200, blank=True)
    headers = models.JSONField(_("Kopfzeilen"), default=list, blank=True)
    received = models.JSONField(_("Received-Kette"), default=list, blank=True)
    urls = models.JSONField(_("Links"), default=list, blank=True)
    attachments = models.JSONField(_("Anhänge"), default=list, blank=True)
    signals = models.JSONField(_("Auffälligkeiten"), default=list, blank=True)
    original = models.FileField(_("Originalnachricht (.eml)"), upload_to=report_upload_to)
    original_sha256 = models.CharField(_("SHA-256 des Originals"), max_length=64)
    original_size = models.PositiveIntegerField(_("Grösse in Bytes"))
    abuse_notified_at = models.DateTimeField(_("Abuse-Team benachrichtigt"), null=True, blank=True)
    created_at = models.DateTimeField(_("Gemeldet am"), auto_now_add=True)
    updated_at = models.DateTimeField(_("Geändert am"), auto_now=True)

    objects = PhishingReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("Phishing-Meldung")
        verbose_name_plural = _("Phishing-Meldungen")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["customer", "-created_at"], name="phishing_customer_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ReportStatus.values),
                name="phishing_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    outcome__in=["", ReportStatus.CONFIRMED, ReportStatus.FALSE_POSITIVE]
                ),
                name="phishing_outcome_valid",
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.subject[:60]}"

    def allowed_statuses(self) -> tuple[str, ...]:
        return tuple(self.TRANSITIONS.get(self.Status(self.status), ()))


class PhishingReportNote(models.Model):
    """A staff note on a report; a status change is recorded with the note that explains it."""

    report = models.ForeignKey(
        PhishingReport, on_delete=models.CASCADE, related_name="notes", verbose_name=_("Meldung")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("Verfasst von"),
    )
    status_from = models.CharField(
        _("Status vorher"), max_length=20, choices=PhishingReport.Status.choices
    )
    status_to = models.CharField(
        _("Status nachher"), max_length=20, choices=PhishingReport.Status.choices
    )
    text = models.TextField(_("Notiz"), blank=True)
    created_at = models.DateTimeField(_("Erstellt"), auto_now_add=True)

    class Meta:
        verbose_name = _("Notiz")
        verbose_name_plural = _("Notizen")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.get_status_from_display()} → {self.get_status_to_display()}"


def check_upload_to(instance, filename):
    """Uploaded messages are stored under a random name, never the customer's file name."""
    return f"checks/{uuid.uuid4().hex}.eml"


# What the check is doing while `progress_done` steps are finished (see engine.CHECK_STEPS).
CHECK_STEP_LABELS = (
    _("Nachricht wird gelesen"),
    _("Anhänge und Archive werden geprüft"),
    _("Links werden geprüft"),
    _("Text wird auf Spam-Wörter geprüft"),
    _("SPF der Absenderdomain wird abgefragt"),
)


class CheckVerdict(models.TextChoices):
    """What a message check concludes."""

    PASS = "pass", _("Keine Abweisungsgründe")
    WARN = "warn", _("Könnte abgewiesen werden")
    REJECT = "reject", _("Würde abgewiesen")


class MessageCheckQuerySet(models.QuerySet):
    def for_customer(self, customer):
        return self.filter(customer=customer)


class MessageCheck(Job):
    """One "Nachricht prüfen" of an uploaded message (a background job): progress, findings.

    The original is kept (for "Erneut prüfen") until the customer deletes the check or the
    daily clean-up removes it. A check waiting or running for longer than `ACTIVE_FOR` is
    lost: the page stops polling and offers to start it again.
    """

    Verdict = CheckVerdict

    customer = models.ForeignKey(
        Customer,
        on_delete=models.CASCADE,
        related_name="message_checks",
        verbose_name=_("Kunde"),
    )
    original = models.FileField(_("Nachricht (.eml)"), upload_to=check_upload_to)
    original_size = models.PositiveIntegerField(_("Grösse in Bytes"))
    language = models.CharField(
        _("Sprache"),
        max_length=10,
        default="de",
        help_text=_("Die Befunde werden in dieser Sprache geschrieben."),
    )
    progress_total = models.PositiveIntegerField(_("Schritte"), default=len(CHECK_STEP_LABELS))
    verdict = models.CharField(_("Urteil"), max_length=10, choices=Verdict.choices, blank=True)
    subject = models.CharField(_("Betreff"), max_length=300, blank=True)
    result = models.JSONField(
        _("Ergebnis"),
        default=dict,
        blank=True,
        help_text=_("Wie `check_message --json`, dazu Betreff, Absender und Grösse."),
    )

    objects = MessageCheckQuerySet.as_manager()

    class Meta:
        verbose_name = _("Nachrichtenprüfung")
        verbose_name_plural = _("Nachrichtenprüfungen")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["customer", "-created_at"], name="check_customer_idx"),
            models.Index(fields=["created_at"], name="check_created_idx"),
        ]
        constraints = [
            *Job.job_constraints("message_check"),
            models.CheckConstraint(
                condition=models.Q(verdict__in=["", *CheckVerdict.values]),
                name="message_check_verdict_valid",
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.created_at:%Y-%m-%d %H:%M} {self.state}"

    @property
    def step_label(self) -> str:
        """What the check is doing now."""
        return str(CHECK_STEP_LABELS[min(self.progress_done, len(CHECK_STEP_LABELS) - 1)])
