"""Links in message bodies: extraction from HTML and text, malformed targets, lying link texts."""

import functools
import ipaddress
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlsplit

import idna
from django.utils.translation import gettext as _
from publicsuffixlist import PublicSuffixList

ACTIVE_TAGS = frozenset({"script", "iframe", "object", "embed", "form", "applet"})
SAFE_SCHEMES = frozenset(
    {"http", "https", "mailto", "tel", "cid", "ftp", "sms", "webcal", "callto"}
)
ACTIVE_SCHEMES = frozenset({"javascript", "vbscript", "data"})
MAX_LINKS = 1000

# Anything that starts like a web link in plain text, including the broken `http//` form.
_TEXT_URL = re.compile(r"(?i)(?<![\w@.])(?:https?(?::/*|//)|www\.)[^\s<>\"'\[\]{}|\\^`]+")
_TRAILING = ".,;:!?)'\"»›”"
# A domain (optionally a URL) shown as link text.
_SHOWN_DOMAIN = re.compile(
    r"(?i)(?:https?://)?((?:[a-z0-9\u00a1-\uffff](?:[a-z0-9\u00a1-\uffff-]{0,61}[a-z0-9\u00a1-\uffff])?\.)+[a-z\u00a1-\uffff][a-z0-9\u00a1-\uffff-]{1,62})(?![\w-])"
)
_BARE_DOMAIN_HREF = re.compile(
    r"(?i)^(?:www\.|[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,63}(?:[/?#:]|$))"
)
_LABEL = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$")


@dataclass
class Link:
    href: str
    text: str  # visible text ('' for links found in plain text)
    source: str  # "html" or "text"


@functools.cache
def _psl() -> PublicSuffixList:
    return PublicSuffixList()


class _HtmlScanner(HTMLParser):
    """Collects <a href> links with their visible text, active tags and the visible text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[Link] = []
        self.active: set[str] = set()
        self.text: list[str] = []
        self._open: list[tuple[str, list[str]]] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ACTIVE_TAGS:
            self.active.add(tag)
        if tag in ("script", "style"):
            self._skip += 1
        if tag in ("a", "area") and attrs.get("href") is not None and len(self.links) < MAX_LINKS:
            if tag == "area":
                self.links.append(Link(attrs["href"] or "", attrs.get("alt") or "", "html"))
            else:
                self._open.append((attrs["href"] or "", []))
        if tag in ("br", "p", "div", "tr", "li"):
            self.text.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1
        if tag == "a" and self._open:
            href, parts = self._open.pop()
            self.links.append(Link(href, " ".join("".join(parts).split()), "html"))

    def handle_data(self, data):
        if self._skip:
            return
        self.text.append(data)
        for _href, parts in self._open:
            parts.append(data)

    def close(self):
        super().close()
        for href, parts in self._open:  # unclosed <a>: keep what we saw
            self.links.append(Link(href, " ".join("".join(parts).split()), "html"))
        self._open = []


@dataclass
class HtmlScan:
    links: list[Link]
    active_tags: set[str]
    text: str


def scan_html(html: str) -> HtmlScan:
    scanner = _HtmlScanner()
    try:
        scanner.feed(html)
        scanner.close()
    except Exception:  # noqa: S110 - html.parser gives up on some broken markup: keep what it saw
        pass
    return HtmlScan(scanner.links, scanner.active, "".join(scanner.text))


def text_links(text: str) -> list[Link]:
    links = []
    for match in _TEXT_URL.finditer(text):
        url = match.group(0).rstrip(_TRAILING)
        links.append(Link(url, "", "text"))
        if len(links) >= MAX_LINKS:
            break
    return links


def _host_problem(host: str) -> str | None:
    if not host:
        return _("es fehlt der Servername (Domain)")
    if host.startswith("[") or ":" in host:
        try:
            ipaddress.ip_address(host.strip("[]"))
            return None
        except ValueError:
            return _("die IP-Adresse ist ungültig")
    if re.fullmatch(r"[0-9.]+", host):
        try:
            ipaddress.ip_address(host)
            return None
        except ValueError:
            return _("die IP-Adresse ist ungültig")
    name = host[:-1] if host.endswith(".") else host
    if not name or name.startswith(".") or ".." in name:
        return _("der Domainname enthält leere Teile (z. B. einen Punkt am Anfang)")
    if "." not in name:
        return _("„%(host)s“ ist kein vollständiger Domainname") % {"host": host}
    try:
        ascii_name = name if name.isascii() else idna.encode(name, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError, ValueError):
        return _("der Domainname „%(host)s“ ist ungültig") % {"host": host}
    if not all(_LABEL.match(label) for label in ascii_name.lower().split(".")):
        return _("der Domainname „%(host)s“ enthält unzulässige Zeichen") % {"host": host}
    return None


def link_problem(href: str, *, in_text: bool = False) -> tuple[str, str] | None:
    """(code, reason) when a link target is broken or dangerous; None when it is fine.

    `in_text`: the link was written as plain text (mail programs make `www.x.ch` clickable
    there, so a missing scheme is fine), not as an HTML href.
    """
    url = href.strip()
    if not url or url.startswith("#"):
        return None
    if re.match(r"(?i)^https?//", url):
        return "link_malformed", _("nach „http“ fehlt der Doppelpunkt")
    if re.match(r"(?i)^https?:(?!//)", url):
        return "link_malformed", _("nach „http:“ müssen zwei Schrägstriche folgen")
    try:
        parts = urlsplit(url)
        port = parts.port  # noqa: F841 - raises ValueError on a bad port
    except ValueError:
        return "link_malformed", _("die Adresse lässt sich nicht lesen")
    scheme = parts.scheme.lower()
    if not scheme:
        if not in_text and _BARE_DOMAIN_HREF.match(url):
            return "link_malformed", _(
                "es fehlt „https://“ am Anfang; Mailprogramme öffnen so einen Link nicht"
            )
        return None
    if scheme in ACTIVE_SCHEMES:
        return "html_active_content", _("der Link führt Code aus (%(scheme)s:)") % {
            "scheme": scheme
        }
    if scheme not in SAFE_SCHEMES:
        if re.fullmatch(r"h[tx]{2}ps?", scheme):
            return "link_malformed", _("das Schema „%(scheme)s:“ ist falsch geschrieben") % {
                "scheme": scheme
            }
        return None
    if scheme in ("http", "https", "ftp"):
        if re.search(r"\s", url):
            return "link_malformed", _("die Adresse enthält Leerzeichen")
        problem = _host_problem(parts.hostname or "")
        if problem:
            return "link_malformed", problem
    return None


def host_of(href: str) -> str:
    try:
        parts = urlsplit(href.strip())
        if parts.scheme.lower() == "mailto":
            return parts.path.rsplit("@", 1)[-1].split("?")[0].lower() if "@" in parts.path else ""
        return (parts.hostname or "").rstrip(".")
    except ValueError:
        return ""


@functools.lru_cache(maxsize=4096)
def registrable_domain(host: str) -> str:
    """`login.bank.ch` → `bank.ch`; the part of a name its owner registered."""
    host = host.lower().rstrip(".")
    try:
        if not host.isascii():
            host = idna.encode(host, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError, ValueError):
        return host
    return _psl().privatesuffix(host) or host


@functools.lru_cache(maxsize=4096)
def _has_known_suffix(name: str) -> bool:
    return _psl().privatesuffix(name, accept_unknown=False) is not None


def shown_domain(text: str) -> str:
    """The domain a link text displays (`www.bank.ch`, `https://bank.ch/login`), or ''."""
    if "@" in text:
        text = text.rsplit("@", 1)[1]
    for match in _SHOWN_DOMAIN.finditer(text[:500]):
        candidate = match.group(1).lower()
        try:
            ascii_name = (
                candidate if candidate.isascii() else idna.encode(candidate, uts46=True).decode()
            )
        except (idna.IDNAError, UnicodeError, ValueError):
            continue
        if _has_known_suffix(ascii_name):
            return candidate
    return ""


def mismatch(link: Link) -> tuple[str, str] | None:
    """(shown, target) registrable domains when a link's text shows another domain."""
    if not link.text:
        return None
    shown = shown_domain(link.text)
    target = host_of(link.href)
    if not shown or not target:
        return None
    shown_reg, target_reg = registrable_domain(shown), registrable_domain(target)
    if shown_reg != target_reg:
        return shown, target
    return None
