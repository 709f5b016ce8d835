"""The routing table as data: a small world of domains and addresses, and what must happen
to mail for each recipient. Used by tests/mailservices/test_routing.py and by the mail-stack
tests, which send real mail through Postfix/Dovecot and compare with the same expectations.

`build_world(customer)` creates the world through the portal's own services; `CASES` lists
(recipient -> expected route). Times are relative to `NOW`, which callers pass to `route`.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

NOW = datetime(2026, 7, 15, 12, 0, tzinfo=UTC)
PASSWORD = "Alpen-Test-Passwort-2026"


@dataclass(frozen=True)
class RoutingCase:
    id: str
    recipient: str
    action: str  # "deliver" | "reject"
    via: str | None = None  # "address" | "alias" | "catchall" | None
    mailboxes: tuple[str, ...] = ()
    forwards: tuple[str, ...] = ()
    responder_may_reply: bool = False
    note: str = ""
    extra: dict = field(default_factory=dict)


def build_world(customer):
    """Creates the domains and addresses the cases talk about; returns {domain: service}."""
    from mailservices.models import MailService
    from mailservices.services import domain_create, mailservice_create
    from mailservices.services.addresses import (
        address_create,
        address_set_enabled,
        alias_create,
        catchall_create,
        forward_create,
        responder_save,
    )

    def service(name, plan, quota=20):
        return mailservice_create(
            domain=domain_create(customer=customer, name=name), plan=plan, address_quota=quota
        )

    def responder(address, *, starts, ends=None, enabled=True):
        responder_save(
            address=address,
            enabled=enabled,
            subject="Abwesend",
            body="Ich bin bis Ende Monat abwesend.",
            starts_at=starts,
            ends_at=ends,
            interval_days=7,
        )

    day = timedelta(days=1)
    world = {}

    # A paid service with everything: mailboxes, a redirect, aliases, a catch-all.
    bsp = world["beispiel.ch"] = service("beispiel.ch", "service_mail")
    anna = address_create(service=bsp, local_part="anna", password=PASSWORD)
    forward_create(address=anna, destination="anna.privat@example.net")
    responder(anna, starts=NOW - day, ends=NOW + 10 * day)
    address_create(service=bsp, local_part="jonnie.smith", password=PASSWORD)
    address_create(
        service=bsp,
        local_part="info",
        kind="redirect",
        forward_to=["chef@example.org", "buero@example.net"],
    )
    alt = address_create(service=bsp, local_part="alt", password=PASSWORD)
    address_set_enabled(address=alt, enabled=False)
    ferien = address_create(service=bsp, local_part="ferien", password=PASSWORD)
    responder(ferien, starts=NOW + 2 * day, ends=NOW + 9 * day)
    vorbei = address_create(service=bsp, local_part="vorbei", password=PASSWORD)
    responder(vorbei, starts=NOW - 9 * day, ends=NOW - day)
    aus = address_create(service=bsp, local_part="aus", password=PASSWORD)
    responder(aus, starts=NOW - day, enabled=False)
    catchall = catchall_create(service=bsp, confirmed=True, password=PASSWORD)
    responder(catchall, starts=NOW - day)
    alias_create(address=anna, local_part="kontakt")
    alias_create(address=anna, local_part="a.muster")
    alias_create(address=alt, local_part="team")

    # A paid service without a catch-all.
    ohne = world["ohne-catchall.ch"] = service("ohne-catchall.ch", "service_mail")
    address_create(service=ohne, local_part="hallo", password=PASSWORD)

    # An internationalised domain (stored as its A-label).
    buecher = world["bücher.ch"] = service("bücher.ch", "service_mail_starter", quota=3)
    address_create(service=buecher, local_part="verkauf", password=PASSWORD)

    # A free service: no catch-all possible.
    gratis = world["gratis.ch"] = service("gratis.ch", "my_ksuite", quota=1)
    address_create(service=gratis, local_part="max", password=PASSWORD)

    # A service with a catch-all that was later moved to a free plan: the catch-all no
    # longer catches, but the address `catchall@` itself still receives.
    herab = world["herabgestuft.ch"] = service("herabgestuft.ch", "service_mail")
    address_create(service=herab, local_part="lea", password=PASSWORD)
    catchall_create(service=herab, confirmed=True, password=PASSWORD)
    MailService.objects.filter(pk=herab.pk).update(plan="my_ksuite")

    # A suspended service and one still being set up: nothing is delivered.
    gesperrt = world["gesperrt.ch"] = service("gesperrt.ch", "service_mail")
    address_create(service=gesperrt, local_part="info", password=PASSWORD)
    catchall_create(service=gesperrt, confirmed=True, password=PASSWORD)
    MailService.objects.filter(pk=gesperrt.pk).update(status="suspended")
    neu = world["neu.ch"] = service("neu.ch", "service_mail")
    address_create(service=neu, local_part="info", password=PASSWORD)
    MailService.objects.filter(pk=neu.pk).update(status="pending")
    return world


ANNA = ("anna@beispiel.ch",)
ANNA_FWD = ("anna.privat@example.net",)
CATCH = ("catchall@beispiel.ch",)
INFO_FWD = ("buero@example.net", "chef@example.org")


def _anna(case_id, recipient, via="address", note=""):
    return RoutingCase(case_id, recipient, "deliver", via, ANNA, ANNA_FWD, True, note)


def _catch(case_id, recipient, note=""):
    return RoutingCase(case_id, recipient, "deliver", "catchall", CATCH, (), False, note)


def _reject(case_id, recipient, note=""):
    return RoutingCase(case_id, recipient, "reject", note=note)


CASES: list[RoutingCase] = [
    # Exact addresses
    _anna("exact", "anna@beispiel.ch"),
    _anna("exact-upper-local", "ANNA@beispiel.ch", note="local parts are case-insensitive"),
    _anna("exact-mixed-case", "AnNa@BeiSpiel.CH"),
    _anna("exact-upper-domain", "anna@BEISPIEL.CH"),
    _anna("exact-trailing-dot-domain", "anna@beispiel.ch."),
    _anna("exact-angle-brackets", "<anna@beispiel.ch>"),
    _anna("exact-whitespace", "  anna@beispiel.ch  "),
    _anna("plus-tag", "anna+newsletter@beispiel.ch", note="user+tag@ goes to user@"),
    _anna("plus-tag-upper", "Anna+Shop@Beispiel.ch"),
    _anna("plus-tag-empty", "anna+@beispiel.ch"),
    _anna("plus-tag-double", "anna+a+b@beispiel.ch"),
    RoutingCase(
        "dotted-local",
        "jonnie.smith@beispiel.ch",
        "deliver",
        "address",
        ("jonnie.smith@beispiel.ch",),
    ),
    RoutingCase(
        "dotted-local-upper",
        "Jonnie.Smith@beispiel.ch",
        "deliver",
        "address",
        ("jonnie.smith@beispiel.ch",),
    ),
    # A redirect has no mailbox, only forwards
    RoutingCase("redirect", "info@beispiel.ch", "deliver", "address", (), INFO_FWD),
    RoutingCase("redirect-plus-tag", "info+web@beispiel.ch", "deliver", "address", (), INFO_FWD),
    # Aliases
    _anna("alias", "kontakt@beispiel.ch", via="alias"),
    _anna("alias-upper", "KONTAKT@beispiel.ch", via="alias"),
    _anna("alias-plus-tag", "kontakt+x@beispiel.ch", via="alias"),
    _anna("alias-dotted", "a.muster@beispiel.ch", via="alias"),
    # Disabled addresses reject, also through an alias, and never fall through to catch-all
    _reject("disabled", "alt@beispiel.ch", note="disabled rejects, no catch-all"),
    _reject("disabled-upper", "ALT@beispiel.ch"),
    _reject("disabled-plus-tag", "alt+x@beispiel.ch"),
    _reject("alias-to-disabled", "team@beispiel.ch"),
    # Catch-all: unknown local parts of a paid service with a catch-all
    _catch("catchall-misspelled", "smith.johnny@beispiel.ch", note="docs/product.md §2 example"),
    _catch("catchall-unknown", "gibtsnicht@beispiel.ch"),
    _catch("catchall-unknown-upper", "GIBTSNICHT@beispiel.ch"),
    _catch("catchall-unknown-plus-tag", "wer+was@beispiel.ch"),
    _catch("catchall-similar-to-alias", "kontakte@beispiel.ch"),
    _catch("catchall-digits", "12345@beispiel.ch"),
    # Mail to catchall@ itself: the catch-all's responder may answer it
    RoutingCase("catchall-direct", "catchall@beispiel.ch", "deliver", "address", CATCH, (), True),
    RoutingCase(
        "catchall-direct-upper", "CatchAll@beispiel.ch", "deliver", "address", CATCH, (), True
    ),
    RoutingCase(
        "catchall-direct-plus-tag", "catchall+x@beispiel.ch", "deliver", "address", CATCH, (), True
    ),
    # Responder time window and switch
    RoutingCase(
        "responder-not-started",
        "ferien@beispiel.ch",
        "deliver",
        "address",
        ("ferien@beispiel.ch",),
    ),
    RoutingCase(
        "responder-ended", "vorbei@beispiel.ch", "deliver", "address", ("vorbei@beispiel.ch",)
    ),
    RoutingCase(
        "responder-disabled", "aus@beispiel.ch", "deliver", "address", ("aus@beispiel.ch",)
    ),
    RoutingCase(
        "no-responder",
        "jonnie.smith@beispiel.ch",
        "deliver",
        "address",
        ("jonnie.smith@beispiel.ch",),
    ),
    # Paid service without catch-all
    RoutingCase(
        "no-catchall-exact",
        "hallo@ohne-catchall.ch",
        "deliver",
        "address",
        ("hallo@ohne-catchall.ch",),
    ),
    _reject("no-catchall-unknown", "wer@ohne-catchall.ch"),
    _reject("no-catchall-literal-catchall", "catchall@ohne-catchall.ch"),
    # Internationalised domain: U-label and A-label both work, mailbox in A-label
    RoutingCase(
        "idn-unicode",
        "verkauf@bücher.ch",
        "deliver",
        "address",
        ("verkauf@xn--bcher-kva.ch",),
    ),
    RoutingCase(
        "idn-ascii",
        "verkauf@xn--bcher-kva.ch",
        "deliver",
        "address",
        ("verkauf@xn--bcher-kva.ch",),
    ),
    RoutingCase(
        "idn-upper",
        "VERKAUF@BÜCHER.CH",
        "deliver",
        "address",
        ("verkauf@xn--bcher-kva.ch",),
    ),
    _reject("idn-unknown-local", "einkauf@bücher.ch"),
    # Free service: no catch-all
    RoutingCase("free-exact", "max@gratis.ch", "deliver", "address", ("max@gratis.ch",)),
    _reject("free-unknown", "moritz@gratis.ch"),
    # Downgraded: the catch-all address still receives its own mail but catches nothing
    RoutingCase(
        "downgraded-catchall-direct",
        "catchall@herabgestuft.ch",
        "deliver",
        "address",
        ("catchall@herabgestuft.ch",),
    ),
    _reject("downgraded-unknown", "irgendwer@herabgestuft.ch"),
    # Suspended and pending services deliver nothing
    _reject("suspended-exact", "info@gesperrt.ch"),
    _reject("suspended-unknown", "wer@gesperrt.ch"),
    _reject("pending-exact", "info@neu.ch"),
    # Unknown domains and malformed recipients
    _reject("unknown-domain", "anna@anderswo.ch"),
    _reject("subdomain", "anna@sub.beispiel.ch"),
    _reject("parent-of-known", "anna@ch"),
    _reject("empty", ""),
    _reject("no-at", "anna.beispiel.ch"),
    _reject("two-at", "anna@x@beispiel.ch"),
    _reject("empty-local", "@beispiel.ch"),
    _reject("only-tag", "+tag@beispiel.ch"),
    _reject("empty-domain", "anna@"),
    _reject("space-inside", "an na@beispiel.ch"),
    _anna("quoted-local", '"anna"@beispiel.ch', note="a quoted local part equals its text"),
    _anna("quoted-escaped", '"an\\na"@beispiel.ch'),
    _reject("quoted-double-dot", '"an..na"@beispiel.ch'),
    _reject("quoted-at", '"a@b"@beispiel.ch'),
    _reject("quoted-empty", '""@beispiel.ch'),
    _reject("leading-dot", ".anna@beispiel.ch"),
    _reject("double-dot", "an..na@beispiel.ch"),
    _reject("bad-idn", "anna@xn--.ch"),
    _reject("too-long-local", "a" * 65 + "@beispiel.ch"),
]
