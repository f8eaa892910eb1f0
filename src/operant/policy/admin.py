"""Policy versions in the admin: a record of what was in force, so read-only."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from operant.policy.models import PolicyVersion


@admin.register(PolicyVersion)
class PolicyVersionAdmin(admin.ModelAdmin):
    list_display = ["version", "effective", "short_sha", "recorded_at"]
    list_filter = ["effective"]
    search_fields = ["version", "sha256"]
    readonly_fields = ["version", "effective", "sha256", "text", "recorded_at"]

    @admin.display(description="sha256")
    def short_sha(self, obj: PolicyVersion) -> str:
        return obj.sha256[:12]

    # Decisions point at these rows by id; editing or deleting one would rewrite history.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: PolicyVersion | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: PolicyVersion | None = None) -> bool:
        return False
