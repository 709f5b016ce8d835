"""The client's address behind our own reverse proxies, the one key of every per-client limit.

Each proxy appends the address it saw to `X-Forwarded-For`; only the last
`TRUSTED_PROXY_COUNT` entries were written by proxies we run, everything left of them is
whatever the client sent. With N trusted proxies the client is the N-th entry from the right.
With 0 (the default, no proxy) the header is ignored: a client could write anything into it.
"""

from ipaddress import ip_address

from django.conf import settings
from django.http import HttpRequest


def _valid(candidate: str) -> str | None:
    candidate = candidate.strip()
    if candidate.startswith("[") and "]" in candidate:  # "[2001:db8::1]:443"
        candidate = candidate[1 : candidate.index("]")]
    try:
        return str(ip_address(candidate))
    except ValueError:
        return None


def client_ip_from_forwarded(
    remote_addr: str, x_forwarded_for: str | None, *, trusted_proxies: int | None = None
) -> str:
    """The client's address from the socket peer and the forwarded-for header.

    For servers without a Django request (the DAV server); `client_ip` uses the same rule.
    A header shorter than the proxy count yields its leftmost entry (written by a proxy of
    ours); an unparsable entry yields the peer address.
    """
    count = settings.TRUSTED_PROXY_COUNT if trusted_proxies is None else trusted_proxies
    if count > 0 and x_forwarded_for:
        entries = [e for e in x_forwarded_for.split(",") if e.strip()]
        if entries:
            found = _valid(entries[-min(count, len(entries))])
            if found:
                return found
    return _valid(remote_addr or "") or (remote_addr or "")


def client_ip(request: HttpRequest) -> str:
    """The client's address for limits and logs (see the module docstring)."""
    return client_ip_from_forwarded(
        request.META.get("REMOTE_ADDR", ""), request.META.get("HTTP_X_FORWARDED_FOR")
    )
