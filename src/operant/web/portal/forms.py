"""Forms of the client portal. Lengths are checked again by the services that use them."""

from __future__ import annotations

from django import forms

from operant.mail.portal import SUBJECT_LIMIT, TEXT_LIMIT


class RequestForm(forms.Form):
    subject = forms.CharField(max_length=SUBJECT_LIMIT, label="Subject")
    text = forms.CharField(
        max_length=TEXT_LIMIT, label="What do you need?", widget=forms.Textarea(attrs={"rows": 8})
    )


class ReplyForm(forms.Form):
    text = forms.CharField(
        max_length=TEXT_LIMIT, label="Your reply", widget=forms.Textarea(attrs={"rows": 5})
    )


class SigninLinkForm(forms.Form):
    email = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        required=False,
        max_length=1000,
        label="Reason (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
