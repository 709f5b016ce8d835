"""Each delivery in plain words: the bounce explainer of the message tools, reused."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from messagetools.engine.bounce import explain_bounce
from messagetools.guides import guide_url

GUIDE_SLUG = "zustellprotokoll"


@dataclass(frozen=True)
class DeliveryExplanation:
    title: str
    text: str
    advice: str = ""
    guide_url: str = ""


def _sent(relay: str) -> DeliveryExplanation:
    return DeliveryExplanation(
        title=_("Zugestellt"),
        text=_("Der Server des Empfängers hat die Nachricht angenommen.")
        if relay and not relay.startswith(("mail.", "127.", "private/"))
        else _("Die Nachricht wurde zugestellt."),
    )


def explain(delivery, cache: dict | None = None) -> DeliveryExplanation:
    """What happened, why and what to do; `cache` shares work between rows of one page."""
    if delivery.status == "sent":
        return _sent(delivery.relay)
    key = (delivery.status, delivery.dsn, delivery.reason)
    if cache is not None and key in cache:
        return cache[key]
    found = explain_bounce(f"{delivery.reason}\n{delivery.dsn}")
    text = found.explanation
    if delivery.status == "deferred":
        text = f"{text} " + _(
            "Unser Server versucht es automatisch weiter (bis zu fünf Tage) und meldet sich, "
            "falls es nicht gelingt."
        )
    elif delivery.status == "expired":
        text = f"{text} " + _(
            "Unser Server hat es tagelang versucht und dann aufgegeben; der Absender hat "
            "eine Unzustellbarkeitsmeldung erhalten."
        )
    elif delivery.status == "rejected":
        text = f"{text} " + _(
            "Die Nachricht wurde schon bei der Einlieferung abgewiesen und nie verschickt."
        )
    result = DeliveryExplanation(
        title=found.title,
        text=text,
        advice=found.advice,
        # The explainer's own guide, else ours on reading the delivery log.
        guide_url=guide_url(found.guide_slug or GUIDE_SLUG),
    )
    if cache is not None:
        cache[key] = result
    return result
