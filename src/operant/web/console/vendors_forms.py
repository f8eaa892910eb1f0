"""Forms of the vendor incident pages. They carry what an agent typed to the vendors services,
which decide what is allowed (a vendor's integrations, a resolved incident, an empty
workaround); a service's refusal is shown like a field error."""

from __future__ import annotations

from typing import Any

from django import forms

from operant.accounts.models import Integration
from operant.desk.models import Ticket
from operant.desk.serialize import TicketNotFound, ticket_by_ref
from operant.policy.loader import current_policy
from operant.vendors.models import Impact, IncidentStatus
from operant.vendors.workarounds import MAX_LENGTH


class WorkaroundForm(forms.Form):
    text = forms.CharField(
        label="What clients can do meanwhile",
        max_length=MAX_LENGTH,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class TicketLinkForm(forms.Form):
    ticket = forms.CharField(label="Ticket (e.g. OPR-12)", max_length=32)

    def clean_ticket(self) -> Ticket:
        try:
            return ticket_by_ref(self.cleaned_data["ticket"])
        except TicketNotFound as exc:
            raise forms.ValidationError(str(exc)) from None


def _vendor_choices() -> list[tuple[str, str]]:
    return [(vendor.key, vendor.name) for vendor in current_policy().vendors]


class IntegrationChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.vendor_key})"


class ReportForm(forms.Form):
    """A manual incident; whether the integrations are the vendor's is the service's rule."""

    vendor = forms.ChoiceField(label="Vendor", choices=_vendor_choices)
    title = forms.CharField(label="Title", max_length=300)
    integrations = IntegrationChoice(
        label="Integrations affected",
        queryset=Integration.objects.exclude(vendor_key="").order_by("vendor_key", "name"),
        to_field_name="key",
        widget=forms.CheckboxSelectMultiple,
    )
    impact = forms.ChoiceField(
        label="Impact",
        choices=[(i.value, i.label) for i in Impact if i != Impact.NONE],
        initial=Impact.MINOR,
    )
    body = forms.CharField(
        label="First update (what we know)", widget=forms.Textarea(attrs={"rows": 4})
    )


class PostForm(forms.Form):
    status = forms.ChoiceField(label="Status", choices=IncidentStatus.choices)
    body = forms.CharField(label="Update", widget=forms.Textarea(attrs={"rows": 4}))
