"""The "Schedule maintenance" form: what an agent types, turned into the arguments of
``maintenance.services.window_create`` (the same service ``operant maintenance add`` calls),
which decides everything else (end after start, short notice, the RRULE, unknown clients)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django import forms

from operant.accounts.models import Integration
from operant.core.errors import UserError
from operant.maintenance.models import Scope
from operant.maintenance.recurrence import zone_named
from operant.policy.loader import current_policy

SCOPES = [
    (Scope.EVERYTHING, "Everything"),
    (Scope.INTEGRATIONS, "Some integrations"),
    (Scope.CLIENTS, "Some clients"),
]


class IntegrationChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


def _default_zone() -> str:
    return current_policy().calendar.timezone.key


class WindowForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200)
    # The browser's datetime-local: a wall-clock time, read in ``zone`` (an offset typed by
    # hand, "2027-03-14T01:00-05:00", is kept as typed).
    start = forms.CharField(
        label="Start", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    end = forms.CharField(
        label="End (of the first occurrence)",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    zone = forms.CharField(label="Time zone", max_length=64, initial=_default_zone)
    rrule = forms.CharField(
        label="Repeats (RRULE, optional)",
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": "FREQ=WEEKLY;BYDAY=SU;COUNT=8"}),
    )
    scope = forms.ChoiceField(
        label="Scope", choices=SCOPES, initial=Scope.EVERYTHING, widget=forms.RadioSelect
    )
    integrations = IntegrationChoice(
        label="Integrations",
        required=False,
        queryset=Integration.objects.order_by("name"),
        to_field_name="key",
        widget=forms.CheckboxSelectMultiple,
    )
    clients = forms.CharField(
        label="Clients (slugs, separated by commas or spaces)", required=False, max_length=2000
    )
    reason = forms.CharField(
        label="Reason, when short notice (clients read it)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        scope = data.get("scope")
        if scope == Scope.INTEGRATIONS and not data.get("integrations"):
            self.add_error("integrations", "Choose at least one integration for this scope.")
        if scope == Scope.CLIENTS and not _slugs(data.get("clients", "")):
            self.add_error("clients", "Name at least one client for this scope.")
        return data

    def window_arguments(self) -> dict[str, Any]:
        """Keyword arguments for ``window_create`` (without ``now`` and ``actor``); a
        ``UserError`` for a time zone or an instant that cannot be read."""
        data = self.cleaned_data
        zone = data["zone"].strip()
        scope = data["scope"]
        return {
            "title": data["title"],
            "start": _instant("Start", data["start"], zone),
            "end": _instant("End", data["end"], zone),
            "rrule": data["rrule"],
            "zone": zone,
            "integration_keys": [i.key for i in data["integrations"]]
            if scope == Scope.INTEGRATIONS
            else [],
            "client_slugs": _slugs(data["clients"]) if scope == Scope.CLIENTS else [],
            "reason": data["reason"],
        }


def _slugs(text: str) -> list[str]:
    return [slug for slug in re.split(r"[\s,]+", text) if slug]


def _instant(name: str, text: str, zone: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UserError(f"{name}: {text!r} is not a date and time like 2027-03-14T01:00") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone_named(zone))
    return value
