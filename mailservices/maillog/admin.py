"""Staff: search the delivery log by queue id, message-id, sender or recipient."""

from django.contrib import admin
from django.core.paginator import Paginator
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from mailservices.maillog.models import Delivery, FollowPosition
from portal.core.admin import ReadOnlyAdminMixin


class BoundedCountPaginator(Paginator):
    """Counts at most 10,001 rows: an exact COUNT over 100 million rows takes seconds."""

    LIMIT = 10_001

    @cached_property
    def count(self):
        return self.object_list[: self.LIMIT].count()


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["time", "queue_id", "sender", "recipient", "status", "dsn", "relay"]
    list_filter = ["status"]
    # Exact matches use the indexes (queue id: the unique key's first column).
    search_fields = ["=queue_id", "=message_id", "=sender", "=recipient"]
    search_help_text = _("Genaue Queue-ID, Message-ID (ohne <>), Absender- oder Empfängeradresse")
    ordering = ["-time"]
    paginator = BoundedCountPaginator
    show_full_result_count = False
    list_per_page = 50
    readonly_fields = [f.name for f in Delivery._meta.fields]

    def get_search_results(self, request, queryset, search_term):
        """Exact, index-friendly matches (the admin's `=` lookups are case-insensitive,
        which an index on the plain column cannot serve); addresses are stored lower-case."""
        term = search_term.strip().strip("<>")
        if not term:
            return queryset, False
        lower = term.lower()
        return (
            queryset.filter(
                Q(queue_id=term) | Q(message_id=term) | Q(sender=lower) | Q(recipient=lower)
            ),
            False,
        )


@admin.register(FollowPosition)
class FollowPositionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    read_only_allows = ("delete",)  # forget a file: the follower starts it anew
    list_display = ["path", "inode", "offset", "lines", "updated_at"]
    readonly_fields = ["path", "inode", "offset", "lines", "pending", "updated_at"]
