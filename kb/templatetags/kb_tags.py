"""`{% guide_links %}`: the guides that help on the current page (from their front matter)."""

from django import template
from django.utils.translation import get_language

from kb.models import kb_language
from kb.selectors import guides_for_page

register = template.Library()


@register.inclusion_tag("kb/partials/_guide_links.html", takes_context=True)
def guide_links(context):
    """At most one query; nothing at all when the page has no URL name (e.g. a 404 page)."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    view_name = getattr(match, "view_name", "") if match else ""
    if not view_name:
        return {"guides": []}
    return {"guides": guides_for_page(view_name=view_name, language=kb_language(get_language()))}
