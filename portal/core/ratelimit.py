"""Per-client limits of the portal's own expensive endpoints, keyed by `client_ip`.

allauth limits its own forms (login, sign-up, reset) through our adapter's `get_client_ip`;
these are the rest: the message check, the "Jetzt prüfen" button, the KB API. A fixed window
per client and action in the cache (Redis in production), so every worker shares it.
`PORTAL_RATE_LIMITS` replaces `DEFAULT_RATES` as a whole (`{}` turns them all off).
"""

import time
from ipaddress import IPv6Network, ip_address

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from portal.core.clientip import client_ip

# action -> "count/period" with period s, m or h (allauth's notation without the key part).
DEFAULT_RATES = {
    "message_check": "20/h",
    "diagnosis_run": "10/m",
    "kb_api": "60/m",
    # Each preview makes a worker log in to another provider's server with typed credentials.
    "import_preview": "20/h",
}
PERIODS = {"s": 1, "m": 60, "h": 3600}
# One IPv6 client usually holds a whole /64: counting per address would let it rotate.
IPV6_PREFIX = 64


def parse_rate(rate: str) -> tuple[int, int]:
    """`"20/h"` -> (20, 3600)."""
    count, _slash, period = rate.partition("/")
    return int(count), PERIODS[period]


def rates() -> dict[str, str]:
    configured = getattr(settings, "PORTAL_RATE_LIMITS", None)
    return DEFAULT_RATES if configured is None else configured


def rate_limit_exceeded(request: HttpRequest, *, action: str) -> bool:
    """Counts one use of `action` by this client; True once it is past its rate."""
    rate = rates().get(action)
    if not rate:
        return False
    allowed, period = parse_rate(rate)
    window = int(time.time()) // period
    key = f"ratelimit:{action}:{_client_key(client_ip(request))}:{window}"
    cache.add(key, 0, timeout=period + 1)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=period + 1)
        used = 1
    return used > allowed


def _client_key(ip: str) -> str:
    """The address, or its /64 network for IPv6 (as allauth counts)."""
    try:
        parsed = ip_address(ip)
    except ValueError:
        return ip
    if parsed.version == 6:
        return str(IPv6Network(f"{parsed}/{IPV6_PREFIX}", strict=False).network_address)
    return ip


def too_many_requests() -> HttpResponse:
    """429 with a sentence a person can act on (htmx shows it like any other answer)."""
    return HttpResponse(
        _("Zu viele Anfragen von Ihrer Adresse. Bitte versuchen Sie es etwas später wieder."),
        status=429,
        content_type="text/plain; charset=utf-8",
    )
