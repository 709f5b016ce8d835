import pytest


@pytest.fixture
def hosted(customer):
    """A registered domain of `customer` with its mail service and provisioned zone."""
    from mailservices.models import Domain, MailService
    from mailservices.plans import Plan
    from mailservices.provisioning.services import mailservice_provision_dns

    domain = Domain.objects.create(customer=customer, name="zone.test", source="registered")
    service = MailService.objects.create(domain=domain, plan=Plan.SERVICE_MAIL, address_quota=5)
    mailservice_provision_dns(service=service)
    return domain
