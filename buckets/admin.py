from django.contrib import admin

from buckets.models import Bucket, BudgetItem, Comment, Round, Tag


class BudgetItemInline(admin.TabularInline):
    model = BudgetItem
    extra = 0


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = ["title", "group", "kind", "envelope_amount", "funding_opens_at", "funding_closes_at", "published_at", "closed_at"]
    list_filter = ["kind", "group"]
    search_fields = ["title", "group__name"]
    list_select_related = ["group"]


@admin.register(Bucket)
class BucketAdmin(admin.ModelAdmin):
    list_display = ["title", "round", "status", "min_goal", "max_goal", "total", "contributors_count"]
    list_filter = ["status", "round__group"]
    search_fields = ["title", "summary"]
    list_select_related = ["round"]
    # Money counters are kept by the services and verified by check_ledger.
    readonly_fields = ["total", "contributors_count", "min_goal", "max_goal"]
    inlines = [BudgetItemInline]


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["bucket", "author", "created_at"]
    search_fields = ["body", "author__email"]
    list_select_related = ["bucket", "author"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "group"]
    search_fields = ["name"]
