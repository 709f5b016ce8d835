"""Reads of the catalogue: products on sale with the price valid at a moment."""

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from portal.shop.models import Price, Product


def current_price_subquery(outer: str, at) -> QuerySet:
    return Price.objects.filter(product=OuterRef(outer), valid_from__lte=at).order_by("-valid_from")


def catalogue(*, at=None) -> QuerySet[Product]:
    """Products on sale with the price valid now (`current_price_id`, `current_amount`)."""
    at = at or timezone.now()
    latest = current_price_subquery("pk", at)
    return (
        Product.objects.filter(is_active=True)
        .annotate(
            current_price_id=Subquery(latest.values("pk")[:1]),
            current_amount=Subquery(latest.values("amount")[:1]),
        )
        .filter(current_price_id__isnull=False)
    )


def domain_product(*, at=None) -> Product | None:
    return catalogue(at=at).filter(kind=Product.Kind.DOMAIN).first()
