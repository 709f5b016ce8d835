"""Diagnosis data: each mail service's diagnosis runs (its history). The DKIM keys and hosted
zone records it checks against live in `mailservices.provisioning`."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from mailservices.models import MailService
from portal.core.models import Job


class Status(models.TextChoices):
    """The result of a diagnosis (and of each of its checks)."""

    OK = "ok", _("In Ordnung")
    WARNING = "warning", _("Warnung")
    ERROR = "error", _("Fehler")
    UNKNOWN = "unknown", _("Unbekannt")


class DiagnosisRunQuerySet(models.QuerySet):
    def for_customer(self, customer):
        return self.filter(service__domain__customer=customer)

    def finished(self):
        return self.filter(state=DiagnosisRun.State.DONE)


class DiagnosisRun(Job):
    """One diagnosis of one mail service (a background job): its progress, then its results.

    A run still waiting after `ACTIVE_FOR` counts as lost (a new "Jetzt prüfen" replaces it).
    """

    class Trigger(models.TextChoices):
        MANUAL = "manual", _("Von Hand")
        SCHEDULED = "scheduled", _("Täglich")
        PROVISIONED = "provisioned", _("Neuer Dienst")

    service = models.ForeignKey(
        MailService,
        on_delete=models.CASCADE,
        related_name="diagnosis_runs",
        verbose_name=_("E-Mail-Dienst"),
    )
    trigger = models.CharField(
        _("Auslöser"), max_length=12, choices=Trigger.choices, default=Trigger.MANUAL
    )
    status = models.CharField(_("Ergebnis"), max_length=10, choices=Status.choices, blank=True)
    results = models.JSONField(_("Ergebnisse"), default=list, blank=True)
    customer_notified = models.BooleanField(_("Kunde benachrichtigt"), default=False)

    objects = DiagnosisRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("Diagnose")
        verbose_name_plural = _("Diagnosen")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["service", "-created_at"], name="diag_run_service_idx")]
        constraints = [
            *Job.job_constraints("diagnosis_run"),
            models.CheckConstraint(
                condition=models.Q(status__in=["", *Status.values]),
                name="diagnosis_run_status_valid",
            ),
        ]

    def __str__(self):
        return f"{self.service_id} {self.created_at:%Y-%m-%d %H:%M} {self.status or self.state}"
