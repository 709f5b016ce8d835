"""Links from the message tools into the knowledge base and the limits page."""

from django.urls import NoReverseMatch, reverse

# Which guide explains which finding of the message check.
FINDING_GUIDES = {
    "forbidden_extension": "spam-abgelehnt",
    "deceptive_filename": "spam-abgelehnt",
    "archive_encrypted": "spam-abgelehnt",
    "archive_bomb": "spam-abgelehnt",
    "archive_corrupt": "spam-abgelehnt",
    "archive_not_inspectable": "spam-abgelehnt",
    "link_malformed": "spam-abgelehnt",
    "link_text_mismatch": "phishing-melden",
    "html_active_content": "spam-abgelehnt",
    "signature_unusual": "spam-abgelehnt",
    "spam_phrases": "spam-abgelehnt",
    "spf_fail": "dns-eintraege",
    "spf_warn": "dns-eintraege",
}


def guide_url(slug: str) -> str:
    """The guide's URL; a plain path while the knowledge base's URLs are not there yet."""
    try:
        return reverse("kb:guide", args=[slug])
    except NoReverseMatch:
        return f"/kb/{slug}/"


def address_usage_url(pk: int) -> str:
    try:
        return reverse("quotas:address_usage", args=[pk])
    except NoReverseMatch:
        return f"/usage/addresses/{pk}/"
