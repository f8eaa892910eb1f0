"""The ledger in the admin: to look at, not to edit.

Entries change only through the services (which check the allowance, lock the month and write
the history), and a month's figures only by closing it; an admin form would bypass all three.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from operant.allowance.models import AllowanceMonth, TimeEntry, TimeEntryRevision


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RevisionInline(admin.TabularInline):
    model = TimeEntryRevision
    extra = 0
    fields = ["at", "action", "actor", "before", "after"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(TimeEntry)
class TimeEntryAdmin(ReadOnlyAdmin):
    list_display = ["pk", "client", "ticket", "kind", "minutes", "work_date", "agent", "deleted_at"]
    list_filter = ["kind", "month"]
    search_fields = ["client__name", "client__slug", "note"]
    list_select_related = ["client", "ticket", "agent"]
    date_hierarchy = "work_date"
    inlines = [RevisionInline]


@admin.register(AllowanceMonth)
class AllowanceMonthAdmin(ReadOnlyAdmin):
    list_display = [
        "client",
        "month",
        "allowance_minutes",
        "final_used_minutes",
        "closed_at",
        "notified_80_at",
        "notified_100_at",
    ]
    list_filter = ["month"]
    search_fields = ["client__name", "client__slug"]
    list_select_related = ["client"]
