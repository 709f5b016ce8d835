from django.db import models
from django.utils.translation import gettext_lazy as _


class DeletedAddressData(models.Model):
    """Calendars and contacts on disk whose address no longer exists, kept for the grace
    period (`PORTAL_DAV_DELETED_GRACE_DAYS`) and then removed by `dav_data_purge`."""

    login = models.CharField(_("Adresse"), max_length=320, unique=True)
    noticed_at = models.DateTimeField(_("Adresse fehlt seit"))

    class Meta:
        verbose_name = _("Kalender/Kontakte einer gelöschten Adresse")
        verbose_name_plural = _("Kalender/Kontakte gelöschter Adressen")
        ordering = ["noticed_at"]

    def __str__(self):
        return self.login
