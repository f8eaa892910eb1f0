"""The ledger in the admin is read-only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from operant.allowance.models import EntryKind
from operant.allowance.services import time_log
from tests.allowance.conftest import MID_DECEMBER

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("root", "root@operant.test", "x" * 20)
    client.force_login(user)
    return client


def test_entries_and_months_are_listed_and_shown_but_not_editable(superuser_client, ticket, agent):
    entry = time_log(
        ticket=ticket, agent=agent, minutes=10, kind=EntryKind.ADJUSTMENT, now=MID_DECEMBER
    )
    listing = superuser_client.get(reverse("admin:allowance_timeentry_changelist"))
    assert listing.status_code == 200
    detail = superuser_client.get(reverse("admin:allowance_timeentry_change", args=[entry.pk]))
    assert detail.status_code == 200
    assert b"created" in detail.content  # the revision inline
    assert superuser_client.get(reverse("admin:allowance_timeentry_add")).status_code == 403
    months = superuser_client.get(reverse("admin:allowance_allowancemonth_changelist"))
    assert months.status_code == 200
