"""Shapes shared by the apps: `Job`, the background job every long task is stored as, and
`StaffOverride`, a staff decision kept as history (sending limits, storage)."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Job(models.Model):
    """A background job: queued, claimed by one worker, progress, then done or failed.

    Subclasses add what the job works on and what it produced. The services in
    `portal.core.jobs` move the state; `templates/partials/_job_progress.html` shows it.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("Wartet")
        RUNNING = "running", _("Läuft")
        DONE = "done", _("Fertig")
        FAILED = "failed", _("Fehlgeschlagen")
        CANCELLED = "cancelled", _("Abgebrochen")

    ACTIVE_STATES = (State.QUEUED, State.RUNNING)

    # A job waiting (since `queued_at`) or running (since `started_at`) longer than this is
    # lost: its page stops polling, and a worker may claim it again.
    ACTIVE_FOR = timedelta(minutes=10)

    state = models.CharField(
        _("Zustand"), max_length=10, choices=State.choices, default=State.QUEUED
    )
    progress_done = models.PositiveIntegerField(_("Erledigt"), default=0)
    progress_total = models.PositiveIntegerField(_("Insgesamt"), default=0)
    error = models.TextField(_("Fehler"), blank=True)
    created_at = models.DateTimeField(_("Erstellt"), auto_now_add=True)
    queued_at = models.DateTimeField(_("In Auftrag gegeben"), default=timezone.now)
    started_at = models.DateTimeField(_("Gestartet"), null=True, blank=True)
    finished_at = models.DateTimeField(_("Beendet"), null=True, blank=True)

    class Meta:
        abstract = True

    @classmethod
    def job_constraints(cls, prefix: str) -> list[models.BaseConstraint]:
        """The database rules of every job table (state valid, progress within total)."""
        return [
            models.CheckConstraint(
                condition=models.Q(state__in=cls.State.values), name=f"{prefix}_state_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(progress_done__lte=models.F("progress_total")),
                name=f"{prefix}_progress_valid",
            ),
        ]

    @property
    def is_active(self) -> bool:
        """Waiting or running, and not given up on: a job lost by a worker stops polling."""
        now = timezone.now()
        if self.state == self.State.QUEUED:
            return now - self.queued_at < self.ACTIVE_FOR
        if self.state == self.State.RUNNING:
            return now - (self.started_at or self.queued_at) < self.ACTIVE_FOR
        return False

    @property
    def is_lost(self) -> bool:
        """Still marked waiting or running, but nobody has worked on it for too long."""
        return self.state in self.ACTIVE_STATES and not self.is_active

    @property
    def percent(self) -> int:
        if not self.progress_total:
            return 0
        return min(100, round(100 * self.progress_done / self.progress_total))


class StaffOverrideQuerySet(models.QuerySet):
    """Staff overrides kept as history (sending limits, storage): rows with `starts_at`,
    an optional `ends_at` and `ended_at` when staff ended one early."""

    def active(self, now=None):
        """Overrides in force at `now`: started, not past their end date, not ended by staff
        (the same rule as the mail stack's SQL views)."""
        now = now or timezone.now()
        return self.filter(starts_at__lte=now, ended_at__isnull=True).filter(
            models.Q(ends_at__isnull=True) | models.Q(ends_at__gt=now)
        )


class StaffOverride(models.Model):
    """A value staff set for one address on a written, reasoned request, kept as history.

    Rows are never edited: a new override ends the one before it and staff can end one
    early, so the rows of an address are who approved what, why and when. Subclasses add
    the address (their own `related_name`), the value, `objects` (a `StaffOverrideQuerySet`)
    and `override_constraints(prefix)` in `Meta.constraints`; `portal.core.overrides` saves
    and ends them.
    """

    reason = models.TextField(_("Begründung"), max_length=2000)
    request_reference = models.CharField(
        _("Referenz der schriftlichen Anfrage"),
        max_length=100,
        help_text=_("z. B. die Ticketnummer der authentifizierten Anfrage des Kunden"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Genehmigt von"),
    )
    starts_at = models.DateTimeField(_("Gültig ab"), default=timezone.now)
    ends_at = models.DateTimeField(_("Gültig bis"), null=True, blank=True)
    created_at = models.DateTimeField(_("Erfasst"), auto_now_add=True)
    ended_at = models.DateTimeField(_("Beendet am"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("Beendet von"),
    )

    objects = StaffOverrideQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-created_at", "-pk"]

    @classmethod
    def override_constraints(cls, prefix: str) -> list[models.BaseConstraint]:
        """The database rules of every override table (end after start, reason and reference
        given); `prefix` keeps the names the tables already have."""
        return [
            models.CheckConstraint(
                condition=models.Q(ends_at__isnull=True)
                | models.Q(ends_at__gt=models.F("starts_at")),
                name=f"{prefix}_ends_after_start",
            ),
            models.CheckConstraint(
                condition=~models.Q(reason="") & ~models.Q(request_reference=""),
                name=f"{prefix}_reason_and_reference",
            ),
        ]

    def clean(self):
        if self.ends_at and self.starts_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("Das Ende muss nach dem Beginn liegen.")})
