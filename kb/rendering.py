"""Markdown of a guide -> sanitised HTML, table of contents and plain text for the search.

Guides name provider facts through placeholders (`{{ mail_host }}`) so one set of files serves
every deployment; `PLACEHOLDERS` lists them with the setting each one reads.
"""

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import markdown
import nh3
from markdown.extensions.toc import slugify_unicode

from portal.core.app_settings import app_settings as portal


class GuideRenderError(ValueError):
    """The Markdown of a guide cannot be rendered (e.g. an unknown placeholder)."""


def _mx_records() -> str:
    lines = []
    for index, host in enumerate(portal.MX_HOSTS):
        lines.append(f"@    3600  IN  MX  {10 * (index + 1)}  {host}.")
    return "\n".join(lines)


# name -> (what it is, how to compute it from settings)
PLACEHOLDERS: dict[str, tuple[str, Callable[[], str]]] = {
    "provider_name": ("PORTAL_PROVIDER_NAME", lambda: portal.PROVIDER_NAME),
    "provider_domain": ("PORTAL_PROVIDER_DOMAIN", lambda: portal.PROVIDER_DOMAIN),
    "mail_host": ("PORTAL_MAIL_HOST", lambda: portal.MAIL_HOST),
    "mx_hosts": ("PORTAL_MX_HOSTS, comma-separated", lambda: ", ".join(portal.MX_HOSTS)),
    "mx_primary": ("first of PORTAL_MX_HOSTS", lambda: portal.MX_HOSTS[0]),
    "mx_records": ("PORTAL_MX_HOSTS as zone-file lines, priority 10, 20, ...", _mx_records),
    "spf_include": ("PORTAL_SPF_INCLUDE", lambda: portal.SPF_INCLUDE),
    "spf_record": (
        "v=spf1 include:PORTAL_SPF_INCLUDE ~all",
        lambda: f"v=spf1 include:{portal.SPF_INCLUDE} ~all",
    ),
    "outbound_ips": (
        "PORTAL_OUTBOUND_IPS, comma-separated",
        lambda: ", ".join(portal.OUTBOUND_IPS),
    ),
    "dkim_selector": ("PORTAL_DKIM_SELECTOR", lambda: portal.DKIM_SELECTOR),
    "newsletter_url": ("PORTAL_NEWSLETTER_URL", lambda: portal.NEWSLETTER_URL),
    "abuse_email": ("PORTAL_ABUSE_EMAIL", lambda: portal.ABUSE_EMAIL),
    "ncsc_report_url": ("PORTAL_NCSC_REPORT_URL", lambda: portal.NCSC_REPORT_URL),
    "webmail_url": ("PORTAL_WEBMAIL_URL", lambda: portal.WEBMAIL_URL),
    "base_url": ("PORTAL_BASE_URL", lambda: portal.BASE_URL),
}

PLACEHOLDER_RE = re.compile(r"\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}")

MARKDOWN_EXTENSIONS = [
    "markdown.extensions.tables",
    "markdown.extensions.fenced_code",
    "markdown.extensions.admonition",
    "markdown.extensions.attr_list",
    "markdown.extensions.sane_lists",
    "markdown.extensions.def_list",
    "markdown.extensions.toc",
]
MARKDOWN_CONFIG = {
    "markdown.extensions.toc": {
        "slugify": slugify_unicode,
        "permalink": "#",
        "permalink_class": "anchor",
        "permalink_title": "",
        "toc_depth": "2-3",
    }
}

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em",
    "h2", "h3", "h4", "h5", "hr", "i", "img", "kbd", "li", "mark", "ol", "p", "pre", "s",
    "span", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "*": {"class", "id", "title"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "ol": {"start"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan", "scope"},
}
URL_SCHEMES = {"http", "https", "mailto"}


@dataclass
class RenderedGuide:
    html: str
    text: str
    toc: list[dict] = field(default_factory=list)
    links: list[str] = field(default_factory=list)


def placeholder_values() -> dict[str, str]:
    return {name: compute() for name, (_doc, compute) in PLACEHOLDERS.items()}


def substitute_placeholders(source: str) -> str:
    """Replaces `{{ name }}` by the provider's value; an unknown name is an error."""
    values = placeholder_values()
    unknown = sorted({m for m in PLACEHOLDER_RE.findall(source) if m not in values})
    if unknown:
        raise GuideRenderError(
            "Unbekannte Platzhalter: " + ", ".join(f"{{{{ {name} }}}}" for name in unknown)
        )
    return PLACEHOLDER_RE.sub(lambda m: values[m.group(1)], source)


def _flatten_toc(tokens: list[dict]) -> list[dict]:
    entries = []
    for token in tokens:
        entries.append(
            {"level": token["level"], "id": token["id"], "name": html.unescape(token["name"])}
        )
        entries.extend(_flatten_toc(token.get("children", [])))
    return entries


def _plain_text(clean_html: str) -> str:
    # Code and headings stay searchable; only tags go, with a space where a block ended.
    spaced = re.sub(r"</(p|li|h\d|td|th|pre|div|dd|dt|tr)>", r" </\1>", clean_html)
    spaced = re.sub(r'<a class="anchor"[^>]*>#</a>', "", spaced)
    text = html.unescape(nh3.clean(spaced, tags=set()))
    return re.sub(r"\s+", " ", text).strip()


def render_guide(source: str) -> RenderedGuide:
    """Renders a guide's Markdown: placeholders, Markdown, then the sanitiser (always last)."""
    md = markdown.Markdown(extensions=MARKDOWN_EXTENSIONS, extension_configs=MARKDOWN_CONFIG)
    raw_html = md.convert(substitute_placeholders(source))
    clean = nh3.clean(
        raw_html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    links = re.findall(r'href="([^"#][^"]*)"', clean)
    # Wide tables scroll inside their own box (fixed markup, added after sanitising).
    clean = clean.replace("<table>", '<div class="table-wrap"><table>').replace(
        "</table>", "</table></div>"
    )
    return RenderedGuide(
        html=clean, text=_plain_text(clean), toc=_flatten_toc(md.toc_tokens), links=links
    )
