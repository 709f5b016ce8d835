"""The plans a mail service can have, and the product facts that hang on each
(docs/product.md §1, §4).

Prices live in the shop's catalogue and sending limits in the quotas app; this module only
names the plans and says which are paid, how many addresses they start with and how much
storage each mailbox gets (`storage_mb`, MiB per address; staff may override it per address,
see mailservices.mailboxes).
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Plan(models.TextChoices):
    MY_KSUITE = "my_ksuite", "my kSuite"
    MY_KSUITE_PLUS = "my_ksuite_plus", "my kSuite+"
    KSUITE_STANDARD = "ksuite_standard", "kSuite Standard"
    KSUITE_PRO = "ksuite_pro", "kSuite Pro"
    KSUITE_ENTERPRISE = "ksuite_enterprise", "kSuite Enterprise"
    SERVICE_MAIL_STARTER = "service_mail_starter", "Service Mail Starter"
    SERVICE_MAIL = "service_mail", "Service Mail"
    WEB_HOSTING = "web_hosting", _("Webhosting")


@dataclass(frozen=True)
class PlanFacts:
    paid: bool
    default_address_quota: int
    max_address_quota: int
    storage_mb: int = 20480


PLAN_FACTS: dict[str, PlanFacts] = {
    Plan.MY_KSUITE: PlanFacts(
        paid=False, default_address_quota=1, max_address_quota=1, storage_mb=20480
    ),
    Plan.MY_KSUITE_PLUS: PlanFacts(
        paid=True, default_address_quota=1, max_address_quota=1, storage_mb=51200
    ),
    Plan.KSUITE_STANDARD: PlanFacts(
        paid=True, default_address_quota=1, max_address_quota=1000, storage_mb=51200
    ),
    Plan.KSUITE_PRO: PlanFacts(
        paid=True, default_address_quota=5, max_address_quota=5000, storage_mb=102400
    ),
    Plan.KSUITE_ENTERPRISE: PlanFacts(
        paid=True, default_address_quota=25, max_address_quota=50000, storage_mb=204800
    ),
    Plan.SERVICE_MAIL_STARTER: PlanFacts(
        paid=True, default_address_quota=1, max_address_quota=1000, storage_mb=10240
    ),
    Plan.SERVICE_MAIL: PlanFacts(
        paid=True, default_address_quota=5, max_address_quota=10000, storage_mb=20480
    ),
    Plan.WEB_HOSTING: PlanFacts(
        paid=True, default_address_quota=10, max_address_quota=1000, storage_mb=5120
    ),
}


def plan_facts(plan: str) -> PlanFacts:
    return PLAN_FACTS[Plan(plan)]
