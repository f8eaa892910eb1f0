"""The time entry and allowance routes of the API."""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client as DjangoClient

from operant.allowance.models import TimeEntry
from tests.allowance.conftest import MID_DECEMBER

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _mid_december():
    with time_machine.travel(MID_DECEMBER, tick=False):
        yield


def bearer(user) -> DjangoClient:
    from operant.api.services import api_token_create

    _, plaintext = api_token_create(user=user, name="tests")
    return DjangoClient(headers={"Authorization": f"Bearer {plaintext}"})


@pytest.fixture
def staff(agent) -> DjangoClient:
    return bearer(agent)


def log(http, ticket, **body):
    return http.post(f"/api/tickets/{ticket.ref}/time", body, content_type="application/json")


def test_logging_answers_the_entry(staff, ticket):
    response = log(staff, ticket, minutes=20, kind="adjustment", note="greeting")
    assert response.status_code == 201
    data = response.json()
    assert (data["ticket"], data["kind"], data["minutes"], data["month"]) == (
        ticket.ref,
        "adjustment",
        20,
        "2026-12",
    )
    assert data["work_date"] == "2026-12-16"
    assert data["agent"] == "agent@operant.test"
    assert [r["action"] for r in data["revisions"]] == ["created"]


def test_an_overdraft_is_a_409_with_the_figures(staff, ticket):
    log(staff, ticket, minutes=20, kind="adjustment")
    response = log(staff, ticket, minutes=25, kind="adjustment")
    assert response.status_code == 409
    data = response.json()
    assert (data["remaining_minutes"], data["overflow_minutes"]) == (10, 15)
    assert "split the entry" in data["detail"]
    split = staff.post(
        f"/api/tickets/{ticket.ref}/time/split", {"minutes": 25}, content_type="application/json"
    )
    assert split.status_code == 200
    assert split.json()["entry"]["minutes"] == 10
    assert split.json()["overflow_minutes"] == 15


def test_refusals_are_400_with_the_reason(staff, ticket):
    # Minutes outside 1 to 600 are the schema's to refuse (it says so); the rest the service's.
    for minutes in (-5, 0, 601):
        response = log(staff, ticket, minutes=minutes, kind="adjustment")
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"][-1] == "minutes"
    response = log(staff, ticket, minutes=5, kind="quoted", quote="Q-999")
    assert (response.status_code, response.json()["detail"]) == (400, "no quote Q-999")


def test_edit_and_remove_keep_the_history(staff, ticket):
    entry_id = log(staff, ticket, minutes=10, kind="adjustment").json()["id"]
    edited = staff.patch(
        f"/api/time-entries/{entry_id}", {"minutes": 12}, content_type="application/json"
    )
    assert edited.status_code == 200
    assert edited.json()["revisions"][-1]["before"] == {"minutes": 10}
    removed = staff.delete(f"/api/time-entries/{entry_id}")
    assert removed.status_code == 200
    assert removed.json()["deleted_at"] is not None
    listing = staff.get(f"/api/tickets/{ticket.ref}/time").json()
    assert listing["totals"] == {"adjustment": 0, "quoted": 0, "uncharged": 0}
    assert [r["action"] for r in listing["entries"][0]["revisions"]] == [
        "created",
        "edited",
        "deleted",
    ]
    assert staff.delete("/api/time-entries/999").status_code == 404


def test_the_allowance_of_a_client(staff, ticket):
    log(staff, ticket, minutes=12, kind="adjustment")
    data = staff.get("/api/clients/acme-dental/allowance").json()
    assert data == {
        "client": "acme-dental",
        "month": "2026-12",
        "allowance_minutes": 30,
        "used_minutes": 12,
        "remaining_minutes": 18,
        "carried_minutes": 0,
        "closed": False,
    }
    november = staff.get("/api/clients/acme-dental/allowance", {"month": "2026-11"}).json()
    assert november["used_minutes"] == 0
    history = staff.get("/api/clients/acme-dental/allowance/history", {"months": 3}).json()
    assert [b["month"] for b in history] == ["2026-12", "2026-11", "2026-10"]
    assert staff.get("/api/clients/nobody/allowance").status_code == 404
    bad = staff.get("/api/clients/acme-dental/allowance", {"month": "December"})
    assert bad.status_code == 422


def test_client_users_tokens_are_refused(alice, charlie, ticket):
    for user in (alice, charlie):
        http = bearer(user)
        assert log(http, ticket, minutes=5, kind="adjustment").status_code == 403
        assert http.get("/api/clients/acme-dental/allowance").status_code == 403
    assert not TimeEntry.objects.exists()
