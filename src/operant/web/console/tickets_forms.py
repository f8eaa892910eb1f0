"""Forms of the inbox and the ticket page.

They only carry input to the desk services: which combinations are allowed (a scope category
only with out_of_scope, a reply needs text, a clock must be running to pause) is the services'
to say, and their ``UserError`` is shown on the form like any field error.
"""

from __future__ import annotations

from typing import Any

from django import forms

from operant.accounts.models import Client, User
from operant.desk.models import RequestClass, TicketState
from operant.desk.queries import staff_users


class InboxFilterForm(forms.Form):
    """The inbox filters. Like the client search, an invalid value filters nothing rather than
    showing an error: the form is driven by links and live filtering, not typed submissions."""

    request_class = forms.ChoiceField(
        required=False, label="Class", choices=[("", "Any class"), *RequestClass.choices]
    )
    client = forms.ModelChoiceField(
        required=False,
        label="Client",
        queryset=Client.objects.only("slug", "name"),
        to_field_name="slug",
        empty_label="Any client",
    )
    state = forms.ChoiceField(
        required=False, label="State", choices=[("", "Any state"), *TicketState.choices]
    )
    unmatched = forms.BooleanField(required=False, label="Unmatched")
    flagged = forms.BooleanField(required=False, label="Flagged")
    mine = forms.BooleanField(required=False, label="Assigned to me")

    def filters(self, *, me: User) -> dict[str, Any]:
        """Keyword arguments for ``desk.queries.inbox_filter``."""
        self.is_valid()
        # cleaned_data keeps the fields that are fine: one bad value does not drop the rest.
        data = getattr(self, "cleaned_data", {})
        return {
            "request_class": data.get("request_class") or "",
            "client": data.get("client"),
            "state": data.get("state") or "",
            "unmatched": bool(data.get("unmatched")),
            "flagged": bool(data.get("flagged")),
            "assignee": me if data.get("mine") else None,
        }


class ComposeForm(forms.Form):
    text = forms.CharField(
        required=False,  # the service says what an empty reply or note lacks
        max_length=20_000,
        label="Message",
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class ReclassifyForm(forms.Form):
    request_class = forms.ChoiceField(choices=RequestClass.choices)
    scope_category = forms.CharField(required=False, max_length=64)


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        queryset=staff_users(), required=False, empty_label="Nobody", label="Assignee"
    )


class StateForm(forms.Form):
    state = forms.ChoiceField(choices=TicketState.choices)


class ClockForm(forms.Form):
    """Pause or resume. Agents pause only to wait on the client; vendor incidents pause clocks
    through the vendors app, with their own reason."""

    action = forms.ChoiceField(choices=[("pause", "Pause"), ("resume", "Resume")])
    reason = forms.ChoiceField(
        required=False, choices=[("waiting_on_client", "Waiting on the client")]
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("action") == "pause" and not data.get("reason"):
            self.add_error("reason", "say why the clock stops")
        return data


class AssignClientForm(forms.Form):
    client = forms.ModelChoiceField(
        queryset=Client.objects.all(), to_field_name="slug", label="Client"
    )


def first_error(form: forms.Form) -> str:
    """One readable line for a panel: the field's label and its first problem."""
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else None
        return f"{label}: {errors[0]}" if label else str(errors[0])
    return "Please check the form."
