"""Forms of the monitoring board and the workflow page. They carry input to the monitoring
services, which decide what is allowed; a service's ``UserError`` is shown like a field error."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django import forms

from operant.accounts.models import Client
from operant.allowance.models import EntryKind, TimeEntry
from operant.desk.models import Ticket
from operant.desk.serialize import TicketNotFound, ticket_by_ref
from operant.monitoring.models import Platform, Workflow, WorkflowState
from operant.monitoring.registry import MAX_TEXT

# Versions are recorded soon after the work: older adjustments are not offered.
TIME_ENTRY_DAYS = 62


class BoardFilterForm(forms.Form):
    """Like the inbox filters: an invalid value filters nothing rather than showing an error,
    since the form is driven by links, live filtering and polling."""

    client = forms.ModelChoiceField(
        required=False,
        label="Client",
        queryset=Client.objects.only("slug", "name").order_by("name"),
        to_field_name="slug",
        empty_label="Any client",
    )
    platform = forms.ChoiceField(
        required=False, label="Platform", choices=[("", "Any platform"), *Platform.choices]
    )
    state = forms.ChoiceField(
        required=False, label="State", choices=[("", "Any state"), *WorkflowState.choices]
    )

    def filters(self) -> dict[str, Any]:
        """Keyword arguments for ``monitoring.queries.workflows_matching``."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "client": data.get("client"),
            "platform": data.get("platform", ""),
            "state": data.get("state", ""),
        }


class PauseForm(forms.Form):
    reason = forms.CharField(max_length=255, label="Why (shown on the board)")


class TimeEntryChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"OPR-{obj.ticket_id} · {obj.minutes} min on {obj.work_date:%d %b %Y}"


class VersionForm(forms.Form):
    logic = forms.CharField(
        required=False, max_length=MAX_TEXT, strip=False, widget=forms.Textarea(attrs={"rows": 8})
    )
    copy = forms.CharField(
        required=False,
        max_length=MAX_TEXT,
        strip=False,
        label="Messaging copy",
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    summary = forms.CharField(required=False, max_length=255, label="What changed")
    ticket = forms.CharField(required=False, max_length=32, label="Ticket (e.g. OPR-12)")
    time_entry = TimeEntryChoice(
        required=False,
        queryset=TimeEntry.objects.none(),
        label="Minor adjustment it came from",
        empty_label="None",
    )

    def __init__(self, *args: Any, workflow: Workflow, now: datetime, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        since = (now - timedelta(days=TIME_ENTRY_DAYS)).date()
        field = self.fields["time_entry"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = TimeEntry.objects.filter(
            client_id=workflow.client_id,
            kind=EntryKind.ADJUSTMENT,
            deleted_at=None,
            work_date__gte=since,
        ).order_by("-work_date", "-pk")

    def clean_ticket(self) -> Ticket | None:
        ref = self.cleaned_data["ticket"].strip()
        if not ref:
            return None
        try:
            return ticket_by_ref(ref)
        except TicketNotFound as exc:
            raise forms.ValidationError(str(exc)) from None
