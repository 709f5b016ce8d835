from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from mailservices.admin import EmailSearchMixin
from portal.accounts.models import Customer, Membership, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = [
        "email",
        "first_name",
        "last_name",
        "language",
        "is_staff",
        "is_active",
        "date_joined",
    ]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["first_name", "last_name", "language"]}),
        (
            _("Berechtigungen"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Daten"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Customer)
class CustomerAdmin(EmailSearchMixin, admin.ModelAdmin):
    list_display = ["number", "name", "owner", "created_at"]
    search_fields = ["number", "name", "owner__email", "memberships__user__email"]
    # A whole login email finds its customer by an exact match (no scan of every customer).
    email_search_pairs = ()
    email_search_fields = ("owner__email", "memberships__user__email")
    autocomplete_fields = ["owner"]
    inlines = [MembershipInline]
    list_select_related = ["owner"]
    show_full_result_count = False  # no second COUNT(*) over all customers on a search
