"""Forms of the quote pages. They carry input to ``operant.quotes.services``; which values are
allowed (a known scope category, nothing negative, lines only on drafts) is the services' to
say, and their ``QuoteError`` is shown on the form like a field error."""

from __future__ import annotations

from typing import Any

from django import forms

from operant.accounts.models import Client
from operant.quotes.models import LineKind, QuoteState


class QuoteFilterForm(forms.Form):
    """Like the other list filters, an invalid value filters nothing rather than erroring."""

    state = forms.ChoiceField(
        required=False, label="State", choices=[("", "Any state"), *QuoteState.choices]
    )
    client = forms.ModelChoiceField(
        required=False,
        label="Client",
        queryset=Client.objects.only("slug", "name"),
        to_field_name="slug",
        empty_label="Any client",
    )
    awaiting = forms.BooleanField(required=False, label="Reply to confirm")

    def filters(self) -> dict[str, Any]:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        client = data.get("client")
        return {
            "state": data.get("state") or "",
            "client": client.slug if client else "",
            "awaiting": bool(data.get("awaiting")),
        }


class QuoteNewForm(forms.Form):
    client = forms.ModelChoiceField(
        label="Client", queryset=Client.objects.only("slug", "name"), to_field_name="slug"
    )
    ticket = forms.CharField(required=False, widget=forms.HiddenInput)
    title = forms.CharField(label="Title", max_length=200)
    scope_category = forms.ChoiceField(label="Quoted because")
    validity_days = forms.IntegerField(label="Valid for (days)", min_value=1, max_value=365)
    # An optional first line: the allowance overdraft link prefills the minutes it lacks.
    line_description = forms.CharField(label="First line", required=False, max_length=500)
    line_hours = forms.DecimalField(
        label="Hours", required=False, max_digits=8, decimal_places=2, min_value=0
    )

    def __init__(self, *args: Any, scope_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scope_category"].choices = scope_choices


class LineForm(forms.Form):
    kind = forms.ChoiceField(label="Kind", choices=LineKind.choices)
    description = forms.CharField(label="Description", max_length=500, required=False)
    # Text, not numbers: the service parses them and says what is wrong ("cannot be negative").
    hours = forms.CharField(label="Hours", required=False, max_length=32)
    rate = forms.CharField(label="Rate", required=False, max_length=32)
    amount = forms.CharField(label="Amount", required=False, max_length=32)


class DeclineForm(forms.Form):
    reason = forms.CharField(label="Reason", required=False, max_length=1000)
