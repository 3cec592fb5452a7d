from django.contrib import admin

from proposals.models import Proposal, ProposalComment, ProposalEvent, ProposalView, Proxy, Stance


class StanceInline(admin.TabularInline):
    model = Stance
    extra = 0
    can_delete = False
    fields = ["user", "choice", "data", "reason", "created_at", "is_latest", "via", "cast_by"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class ViewInline(admin.TabularInline):
    model = ProposalView
    extra = 0
    can_delete = False
    fields = ["user", "first_seen_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class ProxyInline(admin.TabularInline):
    model = Proxy
    extra = 0
    can_delete = False
    fields = ["giver", "holder", "given_at", "recorded_by", "ended_at", "end"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class EventInline(admin.TabularInline):
    model = ProposalEvent
    extra = 0
    can_delete = False
    fields = ["action", "at", "actor", "reason", "closes_at_before", "closes_at_after"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    """Read-mostly: stances, views and the outcome are written by proposals.services only."""

    list_display = ["title", "group", "closes_at", "closed_at", "outcome"]
    list_filter = ["outcome", "group"]
    search_fields = ["title", "details", "statement"]
    raw_id_fields = ["author", "bucket", "group"]
    filter_horizontal = ["named_voters"]
    readonly_fields = [
        "closed_at", "outcome", "reminder_sent_at", "final_voters", "final_voted", "final_seen",
        "final_agree", "final_abstain", "final_disagree", "final_block", "final_results", "winner",
        "chosen_option", "kind", "anonymous",
    ]
    inlines = [StanceInline, ViewInline, ProxyInline, EventInline]


@admin.register(ProposalComment)
class ProposalCommentAdmin(admin.ModelAdmin):
    list_display = ["proposal", "author", "created_at"]
    raw_id_fields = ["proposal", "author"]
