"""Quotes in the Django admin: for looking, not for deciding.

State changes go through the services (events, emails, links); the admin shows quotes read-only
so nobody accepts one by ticking a box.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from operant.quotes.models import Quote, QuoteEvent, QuoteLine


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class LineInline(ReadOnlyInline):
    model = QuoteLine
    fields = ("position", "kind", "description", "hours", "rate", "amount")


class EventInline(ReadOnlyInline):
    model = QuoteEvent
    fields = ("at", "kind", "actor", "data")


@admin.register(Quote)
class QuoteAdmin(admin.ModelAdmin):
    list_display = ("ref", "title", "client", "state", "sent_at", "valid_until", "decided_via")
    list_filter = ("state", "scope_category")
    search_fields = ("title", "client__name")
    list_select_related = ("client",)
    inlines = (LineInline, EventInline)

    @admin.display(description="Ref", ordering="pk")
    def ref(self, obj: Quote) -> str:
        return obj.ref

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
