"""Links from the message tools into the knowledge base and the limits page."""

from django.urls import reverse

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
    """The knowledge-base guide that explains a finding."""
    return reverse("kb:guide", args=[slug])


def address_usage_url(pk: int) -> str:
    """The sending-limit page of one address."""
    return reverse("quotas:address_usage", args=[pk])
