"""Staff overrides of a sending limit, hourly usage history and the alerts already sent."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mailservices.models import Address
from portal.core.models import StaffOverride, StaffOverrideQuerySet
from quotas.limits import Channel

MAX_LIMIT = 100_000


class SendingLimitOverrideQuerySet(StaffOverrideQuerySet):
    def for_customer(self, customer):
        return self.filter(address__service__domain__customer=customer)


class SendingLimitOverride(StaffOverride):
    """A limit staff set for one paid address after a written, reasoned request
    (docs/product.md §4); history like every `StaffOverride`, per address and channel."""

    address = models.ForeignKey(
        Address,
        on_delete=models.CASCADE,
        related_name="sending_limit_overrides",
        verbose_name=_("Adresse"),
    )
    channel = models.CharField(
        _("Versandweg"), max_length=10, choices=Channel.choices, default=Channel.SMTP
    )
    limit = models.PositiveIntegerField(
        _("Empfänger pro 24 Stunden"),
        validators=[MinValueValidator(1), MaxValueValidator(MAX_LIMIT)],
    )
    end_note = models.CharField(_("Grund des Endes"), max_length=200, blank=True)

    objects = SendingLimitOverrideQuerySet.as_manager()

    class Meta(StaffOverride.Meta):
        verbose_name = _("Angepasstes Versandlimit")
        verbose_name_plural = _("Angepasste Versandlimits")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(limit__gte=1, limit__lte=MAX_LIMIT), name="override_limit_range"
            ),
            models.CheckConstraint(
                condition=models.Q(channel__in=Channel.values), name="override_channel_valid"
            ),
            *StaffOverride.override_constraints("override"),
        ]

    def __str__(self):
        return f"{self.address_id}: {self.limit}"

    def clean(self):
        if self.address_id and not self.address.service.is_paid:
            raise ValidationError(
                {"address": _("Nur bezahlte Adressen können ein angepasstes Limit erhalten.")}
            )
        super().clean()


class UsageHour(models.Model):
    """Recipients one address sent in one hour (rolled up from the live counters)."""

    address = models.ForeignKey(
        Address, on_delete=models.CASCADE, related_name="usage_hours", verbose_name=_("Adresse")
    )
    channel = models.CharField(
        _("Versandweg"), max_length=10, choices=Channel.choices, default=Channel.SMTP
    )
    hour = models.DateTimeField(_("Stunde (Beginn)"))
    recipients = models.PositiveIntegerField(_("Empfänger"))

    class Meta:
        verbose_name = _("Versand pro Stunde")
        verbose_name_plural = _("Versand pro Stunde")
        ordering = ["-hour"]
        constraints = [
            models.UniqueConstraint(
                fields=["address", "channel", "hour"], name="usage_hour_unique"
            ),
        ]
        indexes = [models.Index(fields=["hour"], name="usage_hour_hour")]

    def __str__(self):
        return f"{self.address_id} {self.hour:%Y-%m-%d %H:00}: {self.recipients}"


class UsageAlert(models.Model):
    """An email telling the customer an address reached 80 % or 100 % of its limit."""

    address = models.ForeignKey(
        Address, on_delete=models.CASCADE, related_name="usage_alerts", verbose_name=_("Adresse")
    )
    channel = models.CharField(
        _("Versandweg"), max_length=10, choices=Channel.choices, default=Channel.SMTP
    )
    level = models.PositiveSmallIntegerField(_("Schwelle (%)"))
    used = models.PositiveIntegerField(_("Empfänger in 24 Stunden"))
    limit = models.PositiveIntegerField(_("Limit"))
    recipient = models.EmailField(_("Gesendet an"))
    sent_at = models.DateTimeField(_("Gesendet"), default=timezone.now)

    class Meta:
        verbose_name = _("Warnung zum Versandlimit")
        verbose_name_plural = _("Warnungen zum Versandlimit")
        ordering = ["-sent_at"]
        indexes = [
            models.Index(
                fields=["address", "channel", "level", "sent_at"], name="usage_alert_lookup"
            )
        ]

    def __str__(self):
        return f"{self.address_id} {self.level} %"
