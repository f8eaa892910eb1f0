"""Forms of the web shell that are not tied to one page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from operant.accounts.models import Client, ServicePackage, User
from operant.accounts.throttle import REFUSAL_ATTRIBUTE


class EmailAuthenticationForm(AuthenticationForm):
    """Sign in with an email address, whatever its case and whatever the username is."""

    username = forms.EmailField(
        label="Email",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That email and password do not match an account.",
    }

    def get_invalid_login_error(self) -> ValidationError:
        # The throttle refused before checking the password: say so, and when to try again.
        refusal = getattr(self.request, REFUSAL_ATTRIBUTE, None)
        if refusal is not None:
            return ValidationError(str(refusal), code="throttled")
        return super().get_invalid_login_error()

    def clean(self) -> dict[str, Any]:
        # Django authenticates by username; users sign in by address, so swap it in first.
        address = self.cleaned_data.get("username")
        if address:
            user = User.objects.get_by_email(address)
            self.cleaned_data["username"] = user.get_username() if user else address.lower()
        return super().clean()


class ClientFilterForm(forms.Form):
    """The console's client search. Invalid choices are ignored rather than shown as errors:
    the form is driven by links and live filtering, not typed submissions."""

    q = forms.CharField(required=False, max_length=100, label="Search")
    package = forms.ChoiceField(required=False, label="Package")
    standing = forms.ChoiceField(
        required=False,
        label="Standing",
        choices=[("", "Any standing"), *Client.Standing.choices],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["package"].choices = [
            ("", "Any package"),
            *ServicePackage.objects.values_list("key", "name"),
        ]

    def filters(self) -> dict[str, str]:
        """Keyword arguments for ``Client.objects.search``; an invalid field filters nothing."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "text": data.get("q", ""),
            "package": data.get("package", ""),
            "standing": data.get("standing", ""),
        }
