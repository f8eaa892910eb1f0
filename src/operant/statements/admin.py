from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from operant.statements.models import Statement, StatementCursor


@admin.register(Statement)
class StatementAdmin(admin.ModelAdmin):
    # Read-only: a statement's figures are frozen when it is built and must match what was sent.
    list_display = ["client", "month", "generated_at", "emailed"]
    list_filter = ["month"]
    search_fields = ["client__name", "client__slug"]
    list_select_related = ["client", "emailed"]

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(StatementCursor)
class StatementCursorAdmin(admin.ModelAdmin):
    list_display = ["client", "next_month", "due_at"]
    list_select_related = ["client"]
