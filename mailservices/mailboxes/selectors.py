"""Reads: the storage size of an address (plan or staff override) and what it uses.

The effective size follows the same rule as Dovecot's userdb view (mailstack migration
0002): the newest active override, else the plan's `storage_mb`. Usage is what Dovecot's
quota_clone wrote into `mailboxes_usage`.
"""

from dataclasses import dataclass

from django.db.models import Case, CharField, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Concat
from django.utils import timezone

from mailservices.mailboxes.app_settings import app_settings
from mailservices.mailboxes.models import MailboxUsage, StorageOverride
from mailservices.models import Address
from mailservices.plans import PLAN_FACTS

MB = 1024 * 1024
DEFAULT_STORAGE_MB = 20480


def plan_storage_mb(plan: str) -> int:
    facts = PLAN_FACTS.get(plan)
    return facts.storage_mb if facts else DEFAULT_STORAGE_MB


def _plan_storage_expression():
    return Case(
        *(When(service__plan=plan, then=Value(f.storage_mb)) for plan, f in PLAN_FACTS.items()),
        default=Value(DEFAULT_STORAGE_MB),
        output_field=IntegerField(),
    )


def with_storage(queryset, *, now=None):
    """Annotates addresses with `storage_quota` (MB), `storage_used` (bytes), `storage_messages`
    and `storage_override` (MB or None): one query for any number of addresses."""
    now = now or timezone.now()
    override = (
        StorageOverride.objects.active(now)
        .filter(address=OuterRef("pk"))
        .order_by("-starts_at", "-pk")
        .values("quota_mb")[:1]
    )
    usage = MailboxUsage.objects.filter(
        username=Concat(
            OuterRef("local_part"),
            Value("@"),
            OuterRef("service__domain__name"),
            output_field=CharField(),
        )
    )
    return queryset.annotate(
        storage_override=Subquery(override, output_field=IntegerField()),
        storage_quota=Coalesce(
            Subquery(override, output_field=IntegerField()), _plan_storage_expression()
        ),
        storage_used=Coalesce(Subquery(usage.values("used_bytes")[:1]), Value(0)),
        storage_messages=Coalesce(Subquery(usage.values("messages")[:1]), Value(0)),
    )


@dataclass(frozen=True)
class Storage:
    """Used and total storage of one mailbox (or the sum over a service's mailboxes)."""

    used_bytes: int
    quota_bytes: int
    messages: int
    overridden: bool = False

    @property
    def free_bytes(self) -> int:
        return max(0, self.quota_bytes - self.used_bytes)

    @property
    def percent(self) -> int:
        """Whole percent used, 100 only when really full (99.6 % shows as 99)."""
        if self.quota_bytes <= 0:
            return 0
        return min(100, self.used_bytes * 100 // self.quota_bytes)

    @property
    def level(self) -> int:
        """The highest alert level reached (0, 80, 100 with the default levels)."""
        reached = [
            lv
            for lv in app_settings.STORAGE_ALERT_LEVELS
            if self.used_bytes * 100 >= lv * self.quota_bytes
        ]
        return max(reached, default=0)


def storage_of(address) -> Storage:
    """An annotated address (see `with_storage`) as a Storage."""
    return Storage(
        used_bytes=int(address.storage_used or 0),
        quota_bytes=int(address.storage_quota) * MB,
        messages=int(address.storage_messages or 0),
        overridden=address.storage_override is not None,
    )


def address_storage(address: Address) -> Storage:
    annotated = with_storage(Address.objects.filter(pk=address.pk)).get()
    return storage_of(annotated)


def address_for_email(email: str):
    """The mailbox address `local@domain` (A-label domain), annotated, or None."""
    local, _at, domain = email.strip().lower().rpartition("@")
    return (
        with_storage(
            Address.objects.filter(local_part=local, service__domain__name=domain).select_related(
                "service__domain__customer__owner"
            )
        )
        .filter(kind=Address.Kind.MAILBOX)
        .first()
    )


def service_storage(service) -> tuple[list[tuple[Address, Storage]], Storage]:
    """Each mailbox of a service with its storage, and the service's total."""
    addresses = list(with_storage(service.addresses.filter(kind=Address.Kind.MAILBOX)))
    items = [(a, storage_of(a)) for a in addresses]
    total = Storage(
        used_bytes=sum(s.used_bytes for _a, s in items),
        quota_bytes=sum(s.quota_bytes for _a, s in items),
        messages=sum(s.messages for _a, s in items),
    )
    return items, total


def addresses_over_level(*, now=None):
    """Mailboxes with a usage row, annotated, for the alert pass (one query)."""
    usernames = MailboxUsage.objects.values("username")
    return with_storage(
        Address.objects.filter(kind=Address.Kind.MAILBOX)
        .annotate(
            email=Concat(
                "local_part", Value("@"), "service__domain__name", output_field=CharField()
            )
        )
        .filter(Q(email__in=Subquery(usernames)))
        .select_related("service__domain__customer__owner"),
        now=now,
    )


def imports_for_customer(customer):
    """Imports of the customer's addresses (use with get_object_or_404)."""
    from mailservices.mailboxes.models import MailImport

    return MailImport.objects.filter(address__service__domain__customer=customer).select_related(
        "address__service__domain"
    )


def import_previews_for_user(*, customer, user):
    """Import previews a user asked for on the customer's addresses (use with
    get_object_or_404): a preview holds that user's password until the import starts."""
    from mailservices.mailboxes.models import ImportPreview

    return ImportPreview.objects.filter(
        address__service__domain__customer=customer, requested_by=user
    ).select_related("address__service__domain")


def recent_imports(address, limit: int = 3):
    from mailservices.mailboxes.models import MailImport

    return list(MailImport.objects.filter(address=address).order_by("-created_at", "-pk")[:limit])


def storage_todos(*, customer) -> list:
    """Overview to-dos: mailboxes that are full (mail refused) or at the first alert level.

    One query whatever the number of mailboxes.
    """
    from django.db.models import BigIntegerField, F
    from django.db.models.functions import Cast
    from django.template.defaultfilters import filesizeformat
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from portal.dashboard.selectors import Todo

    first = min(app_settings.STORAGE_ALERT_LEVELS)
    addresses = (
        with_storage(
            Address.objects.for_customer(customer)
            .filter(kind=Address.Kind.MAILBOX)
            .select_related("service__domain")
        )
        .alias(
            used_100=Cast("storage_used", BigIntegerField()) * 100,
            quota_level=Cast("storage_quota", BigIntegerField()) * (MB * first),
        )
        .filter(used_100__gte=F("quota_level"))
        .order_by("-storage_used")
    )
    todos = []
    for address in addresses:
        storage = storage_of(address)
        full = storage.level >= 100
        figures = {
            "address": address,
            "used": filesizeformat(storage.used_bytes),
            "quota": filesizeformat(storage.quota_bytes),
            "percent": storage.percent,
        }
        if full:
            text = _(
                "Das Postfach %(address)s ist voll (%(used)s von %(quota)s): neue Nachrichten "
                "werden abgewiesen."
            )
        else:
            text = _(
                "Das Postfach %(address)s ist zu %(percent)s %% belegt (%(used)s von %(quota)s)."
            )
        todos.append(
            Todo(
                level="error" if full else "warning",
                badge=_("Postfach voll") if full else _("Fast voll"),
                text=text % figures,
                url=reverse("mailservices:address_detail", args=[address.pk]) + "#storage",
                action=_("Platz schaffen"),
            )
        )
    return todos
