"""The sending limits of docs/product.md §4 as data, and the pure rule that picks one for an
address.

A limit counts envelope recipients per address over a rolling 24 hours. It depends on the
plan of the address's mail service and, for two plans, on the service's size:

- kSuite Standard is sold per user; the service's address quota is its number of users.
- Service Mail counts its addresses (the address quota); below 5 it gets the Starter limit.

Web hosting has two ways to send, counted separately and called *channels*: authenticated
SMTP (1440) and PHP mail() handed over unauthenticated by the hosting servers (50). Every
other plan sends through authenticated SMTP only.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from mailservices.plans import Plan


class Channel(models.TextChoices):
    SMTP = "smtp", _("Authentifiziertes SMTP")
    PHP_MAIL = "php_mail", _("PHP mail() ohne Anmeldung")


@dataclass(frozen=True)
class LimitRule:
    """One row of the table: a plan (and size range, and channel) and its 24-hour limit."""

    plan: str
    limit: int
    label: str
    channel: str = Channel.SMTP
    min_size: int = 1
    max_size: int | None = None

    def matches(self, *, plan: str, size: int, channel: str) -> bool:
        return (
            self.plan == plan
            and self.channel == channel
            and self.min_size <= size
            and (self.max_size is None or size <= self.max_size)
        )


SENDING_LIMITS: tuple[LimitRule, ...] = (
    LimitRule(Plan.MY_KSUITE, 500, _("my kSuite")),
    LimitRule(Plan.MY_KSUITE_PLUS, 1440, _("my kSuite+")),
    LimitRule(Plan.KSUITE_STANDARD, 100, _("kSuite Standard, höchstens 1 Benutzer"), max_size=1),
    LimitRule(Plan.KSUITE_STANDARD, 1440, _("kSuite Standard, ab 2 Benutzern"), min_size=2),
    LimitRule(Plan.KSUITE_PRO, 1440, _("kSuite Pro")),
    LimitRule(Plan.KSUITE_ENTERPRISE, 1440, _("kSuite Enterprise")),
    LimitRule(Plan.SERVICE_MAIL_STARTER, 100, _("Service Mail Starter")),
    LimitRule(Plan.SERVICE_MAIL, 100, _("Service Mail, weniger als 5 Adressen"), max_size=4),
    LimitRule(Plan.SERVICE_MAIL, 1440, _("Service Mail, ab 5 Adressen"), min_size=5),
    LimitRule(
        Plan.WEB_HOSTING, 50, _("Webhosting, PHP mail() ohne Anmeldung"), channel=Channel.PHP_MAIL
    ),
    LimitRule(Plan.WEB_HOSTING, 1440, _("Webhosting, authentifiziertes SMTP")),
)

# PHP mail() from a hosting server for a sender whose plan has no PHP rule (or no plan at all):
# the strictest PHP limit applies.
PHP_MAIL_FALLBACK = min(r.limit for r in SENDING_LIMITS if r.channel == Channel.PHP_MAIL)


def plan_channels(plan: str) -> list[str]:
    """The channels an address of this plan can send through, in display order."""
    return [
        c for c in Channel.values if any(r.plan == plan and r.channel == c for r in SENDING_LIMITS)
    ]


def plan_rule(*, plan: str, size: int, channel: str = Channel.SMTP) -> LimitRule | None:
    """The table row for a plan, service size (address quota) and channel, or None."""
    for rule in SENDING_LIMITS:
        if rule.matches(plan=plan, size=size, channel=channel):
            return rule
    return None
