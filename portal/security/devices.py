"""The device of a request: a readable name from the user agent, and the device cookie.

The cookie (a random id, HttpOnly) tells a known device from a new one far better than the
user agent, which changes with every browser update; only its SHA-256 is stored.
"""

import hashlib
import re
import secrets

DEVICE_COOKIE = "portal_device"
DEVICE_COOKIE_MAX_AGE = 400 * 24 * 60 * 60  # browsers cap cookie lifetimes at 400 days

_BROWSERS = [
    (r"Edg(e|A|iOS)?/", "Edge"),
    (r"OPR/|Opera", "Opera"),
    (r"Firefox/|FxiOS/", "Firefox"),
    (r"Chrome/|CriOS/|Chromium/", "Chrome"),
    (r"Safari/", "Safari"),
    (r"Thunderbird/", "Thunderbird"),
    (r"curl/", "curl"),
]
_SYSTEMS = [
    (r"iPhone", "iPhone"),
    (r"iPad", "iPad"),
    (r"Android", "Android"),
    (r"Windows", "Windows"),
    (r"Mac OS X|Macintosh", "macOS"),
    (r"CrOS", "ChromeOS"),
    (r"Linux", "Linux"),
]


def _first(table, user_agent: str) -> str:
    return next((name for pattern, name in table if re.search(pattern, user_agent)), "")


def device_name(user_agent: str) -> str:
    """'Firefox auf Windows'-like names, language-neutral: 'Firefox · Windows'."""
    parts = [_first(_BROWSERS, user_agent), _first(_SYSTEMS, user_agent)]
    name = " · ".join(part for part in parts if part)
    return name or (user_agent[:60] if user_agent else "")


def device_id(request) -> str:
    """The request's device id from its cookie, or a new one that the response will set
    (SecurityHeadersMiddleware writes `request.security_device_id_new`)."""
    value = request.COOKIES.get(DEVICE_COOKIE, "")
    if re.fullmatch(r"[A-Za-z0-9_-]{20,64}", value):
        return value
    value = getattr(request, "security_device_id_new", "") or secrets.token_urlsafe(24)
    request.security_device_id_new = value
    return value


def device_key(device: str) -> str:
    return hashlib.sha256(device.encode()).hexdigest()
