"""Mail services: create, change plan, grow the address quota, the customer's settings."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from mailservices.models import Domain, MailService
from mailservices.plans import Plan, plan_facts


@transaction.atomic
def mailservice_create(
    *,
    domain: Domain,
    plan: str,
    address_quota: int | None = None,
    status: str = MailService.Status.ACTIVE,
) -> MailService:
    """Creates the (single) mail service of a domain."""
    if MailService.objects.filter(domain=domain).exists():
        raise ValidationError(
            _("Für %(name)s besteht bereits ein E-Mail-Dienst.") % {"name": domain},
            code="service_exists",
        )
    facts = plan_facts(plan)
    service = MailService(
        domain=domain,
        plan=Plan(plan),
        address_quota=address_quota or facts.default_address_quota,
        status=status,
    )
    service.full_clean()
    service.save()
    # Key, zone records and a first diagnosis at once; imported here: no cycle.
    from mailservices.diagnosis.tasks import diagnose_new_service

    transaction.on_commit(lambda: diagnose_new_service.delay(service.pk))
    return service


def quota_max_message(maximum: int) -> ValidationError:
    """The plan's ceiling, in singular or plural ("höchstens 1 Adresse")."""
    return ValidationError(
        ngettext(
            "Dieses Angebot erlaubt höchstens %(max)d Adresse.",
            "Dieses Angebot erlaubt höchstens %(max)d Adressen.",
            maximum,
        )
        % {"max": maximum},
        code="quota_max",
    )


@transaction.atomic
def mailservice_add_addresses(*, service: MailService, count: int) -> MailService:
    """Raises the address quota by `count` (bought in the shop or granted by staff)."""
    if count < 1:
        raise ValidationError(_("Die Anzahl muss mindestens 1 sein."), code="count_min")
    service = MailService.objects.select_for_update().get(pk=service.pk)
    new_quota = service.address_quota + count
    if new_quota > plan_facts(service.plan).max_address_quota:
        raise quota_max_message(plan_facts(service.plan).max_address_quota)
    service.address_quota = new_quota
    service.full_clean()
    service.save(update_fields=["address_quota"])
    return service


@transaction.atomic
def mailservice_change_plan(*, service: MailService, plan: str) -> MailService:
    """Moves a service to another plan; the quota never drops below the addresses in use."""
    service = MailService.objects.select_for_update().get(pk=service.pk)
    facts = plan_facts(plan)
    used = service.addresses.count()
    if used > facts.max_address_quota:
        raise ValidationError(
            ngettext(
                "Das Angebot erlaubt %(max)d Adresse, der Dienst hat aber %(used)d.",
                "Das Angebot erlaubt %(max)d Adressen, der Dienst hat aber %(used)d.",
                facts.max_address_quota,
            )
            % {"max": facts.max_address_quota, "used": used},
            code="plan_too_small",
        )
    service.plan = Plan(plan)
    service.address_quota = min(
        max(service.address_quota, facts.default_address_quota, used), facts.max_address_quota
    )
    service.full_clean()
    service.save(update_fields=["plan", "address_quota"])
    return service


@transaction.atomic
def mailservice_update_settings(
    *, service: MailService, spam_filter_enabled: bool, external_warning_enabled: bool
) -> MailService:
    """The customer's own switches: spam filter and the external-email warning."""
    service.spam_filter_enabled = spam_filter_enabled
    service.external_warning_enabled = external_warning_enabled
    service.full_clean()
    service.save(update_fields=["spam_filter_enabled", "external_warning_enabled"])
    return service


@transaction.atomic
def mailservice_staff_update(
    *,
    service: MailService,
    plan: str,
    address_quota: int | None,
    status: str,
    spam_filter_enabled: bool,
    external_warning_enabled: bool,
) -> MailService:
    """What staff change in the admin: the plan (as `mailservice_change_plan`), the address
    quota (the plan's default when empty; never below the addresses in use nor above the
    plan), the status and the customer's switches."""
    service = MailService.objects.select_for_update().get(pk=service.pk)
    if plan != service.plan:
        service = mailservice_change_plan(service=service, plan=plan)
    facts = plan_facts(plan)
    quota = address_quota or facts.default_address_quota
    used = service.addresses.count()
    if quota > facts.max_address_quota:
        raise quota_max_message(facts.max_address_quota)
    if quota < used:
        raise ValidationError(
            ngettext(
                "Der Dienst hat %(used)d Adresse; das Kontingent kann nicht kleiner sein.",
                "Der Dienst hat %(used)d Adressen; das Kontingent kann nicht kleiner sein.",
                used,
            )
            % {"used": used},
            code="quota_below_used",
        )
    service.address_quota = quota
    service.status = status
    service.full_clean()
    service.save(update_fields=["address_quota", "status"])
    return mailservice_update_settings(
        service=service,
        spam_filter_enabled=spam_filter_enabled,
        external_warning_enabled=external_warning_enabled,
    )
