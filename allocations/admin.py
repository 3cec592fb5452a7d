from django.contrib import admin

from allocations.models import Allocation, Envelope, LedgerEntry


class ReadOnlyAdmin(admin.ModelAdmin):
    """Money moves only through the services (which lock and write the ledger)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Envelope)
class EnvelopeAdmin(ReadOnlyAdmin):
    list_display = ["user", "round", "amount", "allocated", "is_custom"]
    list_filter = ["is_custom", "round"]
    search_fields = ["user__email", "user__name", "round__title"]
    list_select_related = ["user", "round"]


@admin.register(Allocation)
class AllocationAdmin(ReadOnlyAdmin):
    list_display = ["envelope", "bucket", "amount", "updated_at"]
    search_fields = ["envelope__user__email", "bucket__title"]
    list_select_related = ["envelope__user", "envelope__round", "bucket"]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "round", "kind", "member", "actor", "bucket", "before", "after", "note"]
    list_filter = ["kind", "round"]
    search_fields = ["member__email", "actor__email", "bucket__title", "note"]
    list_select_related = ["round", "member", "actor", "bucket"]
    date_hierarchy = "created_at"
