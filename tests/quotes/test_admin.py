"""Quotes in the Django admin are for looking: no adding, changing or deleting there."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_admin_lists_and_shows_quotes_read_only(admin_client, sent) -> None:
    listing = admin_client.get(reverse("admin:quotes_quote_changelist"))
    assert listing.status_code == 200
    assert sent.ref in listing.content.decode()
    page = admin_client.get(reverse("admin:quotes_quote_change", args=[sent.pk]))
    assert page.status_code == 200
    assert "Build the DM flow" in page.content.decode()
    assert admin_client.get(reverse("admin:quotes_quote_add")).status_code == 403
    assert (
        admin_client.post(reverse("admin:quotes_quote_delete", args=[sent.pk])).status_code == 403
    )
    sent.refresh_from_db()
    assert sent.state == "sent"
