"""What the name server (PowerDNS) reads besides the portal's domains and zone records.

`ZoneDefaults` holds the SOA and NS facts from the settings (one row, re-synced after every
migrate and by `dnsserver_config`). `CryptoKey` and `ZoneMetadata` are PowerDNS's own
`cryptokeys` and `domainmetadata` tables, kept as portal models so that DNSSEC keys follow
the domain (deleted with it) and the portal can show the DS record.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from mailservices.models import Domain


class ZoneDefaults(models.Model):
    """SOA timers, hostmaster and name servers of every hosted zone (a single row, pk=1)."""

    nameservers = models.TextField(
        _("Name-Server"), help_text=_("Durch Leerzeichen getrennt, mit Punkt am Ende.")
    )
    hostmaster = models.CharField(
        _("Hostmaster (SOA RNAME)"), max_length=253, help_text=_("z. B. hostmaster.example.")
    )
    refresh = models.PositiveIntegerField(_("Refresh"), default=10800)
    retry = models.PositiveIntegerField(_("Retry"), default=3600)
    expire = models.PositiveIntegerField(_("Expire"), default=1209600)
    minimum = models.PositiveIntegerField(_("Negative TTL"), default=300)
    ttl = models.PositiveIntegerField(_("TTL von SOA und NS"), default=3600)

    class Meta:
        verbose_name = _("Zonen-Vorgaben")
        verbose_name_plural = _("Zonen-Vorgaben")
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="zone_defaults_single")
        ]

    def __str__(self):
        return self.nameservers

    @property
    def primary(self) -> str:
        return self.nameservers.split()[0]


class CryptoKey(models.Model):
    """A DNSSEC key PowerDNS signs a zone with (PowerDNS's `cryptokeys` row)."""

    domain = models.ForeignKey(
        Domain, on_delete=models.CASCADE, related_name="dnssec_keys", verbose_name=_("Domain")
    )
    flags = models.PositiveIntegerField(
        _("Flags"), help_text=_("257: Schlüssel mit SEP-Bit (KSK/CSK).")
    )
    active = models.BooleanField(_("Aktiv"), default=True)
    published = models.BooleanField(_("Veröffentlicht"), default=True, db_default=True)
    content = models.TextField(
        _("Schlüssel (PowerDNS-Format)"),
        help_text=_("Privater Schlüssel im BIND-Format; nur PowerDNS liest ihn."),
    )
    created_at = models.DateTimeField(_("Erstellt"), auto_now_add=True, null=True)

    class Meta:
        verbose_name = _("DNSSEC-Schlüssel")
        verbose_name_plural = _("DNSSEC-Schlüssel")
        db_table = "hosteddns_cryptokey"

    def __str__(self):
        return f"{self.domain_id} {self.flags}"


class ZoneMetadata(models.Model):
    """Per-zone settings of PowerDNS (its `domainmetadata`), e.g. NSEC3PARAM."""

    domain = models.ForeignKey(
        Domain, on_delete=models.CASCADE, related_name="dns_metadata", verbose_name=_("Domain")
    )
    kind = models.CharField(_("Art"), max_length=32)
    content = models.TextField(_("Inhalt"), blank=True)

    class Meta:
        verbose_name = _("Zonen-Einstellung")
        verbose_name_plural = _("Zonen-Einstellungen")

    def __str__(self):
        return f"{self.domain_id} {self.kind}={self.content}"
