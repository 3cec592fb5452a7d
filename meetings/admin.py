from django.contrib import admin

from meetings.models import AgendaItem, Attendance, Decision, Meeting

SEALED = ["sealed_at", "sealed_by", "number", "minutes_html", "sha256", "previous_sha256"]


class AgendaInline(admin.TabularInline):
    model = AgendaItem
    extra = 0
    raw_id_fields = ["bucket", "proposal"]


class AttendanceInline(admin.TabularInline):
    model = Attendance
    extra = 0
    raw_id_fields = ["user", "proxy"]


class DecisionInline(admin.TabularInline):
    model = Decision
    extra = 0
    can_delete = False
    fields = ["title", "votes_for", "votes_against", "votes_abstain", "outcome", "bucket", "recorded_by"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False  # decisions go through meetings.services (a bucket is settled with them)


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    """Sealed minutes are read-only here as everywhere; `verify_minutes` would see any change."""

    list_display = ["title", "group", "starts_at", "number", "sealed_at"]
    list_filter = ["group"]
    raw_id_fields = ["group", "created_by", "corrects"]
    filter_horizontal = ["named_voters"]
    readonly_fields = SEALED
    inlines = [AgendaInline, AttendanceInline, DecisionInline]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.sealed_at is not None:
            return [f.name for f in Meeting._meta.fields] + ["named_voters"]
        return SEALED

    def get_inlines(self, request, obj):
        if obj is not None and obj.sealed_at is not None:
            return [DecisionInline]
        return self.inlines
