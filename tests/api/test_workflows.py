"""/api/workflows (staff) and /api/me/workflows (a client's own): register, read, change, pause,
resume, status, list; and that no client token learns anything of another client's."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from django.test import Client as DjangoClient

from operant.monitoring.models import Workflow
from tests.web.monitoring_helpers import make_workflow as make

if TYPE_CHECKING:
    from operant.accounts.models import Client, User

pytestmark = pytest.mark.django_db

SID = "FW" + "a" * 32


@pytest.fixture
def workflows(client_a: Client, client_c: Client) -> dict[str, Workflow]:
    return {"a": make(client_a, "Acme reminders"), "c": make(client_c, "Cobalt classes")}


@pytest.fixture
def charlie_api(api: Callable[[str | None], DjangoClient], charlie: User) -> DjangoClient:
    from operant.api.services import api_token_create

    return api(api_token_create(user=charlie, name="tests")[1])


@pytest.fixture
def alice_api(api: Callable[[str | None], DjangoClient], alice_token: str) -> DjangoClient:
    return api(alice_token)


def create(agent_api: DjangoClient, **body: Any) -> Any:
    payload = {
        "client": "acme-dental",
        "name": "Recall texts",
        "platform": "twilio_studio",
        "integrations": ["twilio_sms"],
        **body,
    }
    return agent_api.post("/api/workflows", payload, content_type="application/json")


def test_an_agent_registers_a_workflow_with_its_first_version(agent_api, client_a, agent):
    response = create(
        agent_api,
        cron="0 9 * * 1-5",
        tz="America/New_York",
        phones=["+15551234567"],
        logic="send at 9",
        copy="Hi {name}",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    workflow = Workflow.objects.get(pk=data["id"])
    assert data["ping_url"] == f"/ping/{workflow.code}"
    assert (data["state"], data["client"], data["current_version"]) == ("new", "acme-dental", 1)
    assert data["schedule"]["cron"] == "0 9 * * 1-5"
    assert data["identifiers"]["phones"] == ["+15551234567"]
    assert workflow.versions.get().author == agent


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"integrations": ["instagram_messaging"]}, "not in Acme Dental's Growth package"),
        ({"cron": "0 0 30 2 *"}, "never fires"),
        ({"client": "nobody"}, "no client with slug 'nobody'"),
        ({"tz": "Mars/Base", "cron": "0 9 * * *"}, "unknown time zone"),
    ],
)
def test_refusals_are_400_with_the_reason(agent_api, client_a, body, message):
    response = create(agent_api, **body)
    assert response.status_code == 400
    assert message in response.json()["detail"]
    assert not Workflow.objects.exists()


def test_the_schema_bounds_the_period(agent_api, client_a):
    assert create(agent_api, period_seconds=10).status_code == 422


def test_read_update_pause_resume_and_status(agent_api, workflows):
    workflow = workflows["a"]
    url = f"/api/workflows/{workflow.pk}"
    assert agent_api.get(url).json()["name"] == "Acme reminders"

    response = agent_api.patch(
        url, {"name": "Acme recalls", "sids": [SID], "owner_notes": "weekly"}, "application/json"
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["name"], data["owner_notes"]) == ("Acme recalls", "weekly")
    assert data["identifiers"] == {"phones": [], "sids": [SID], "accounts": []}
    # Null on a field that cannot be empty leaves it as it was.
    assert agent_api.patch(url, {"name": None}, "application/json").json()["name"] == "Acme recalls"
    assert agent_api.patch(url, [None, None], "application/json").status_code == 422
    assert agent_api.patch(url, {"nmae": "typo"}, "application/json").status_code == 422

    paused = agent_api.post(f"{url}/pause", {"reason": "number port"}, "application/json")
    assert (paused.json()["state"], paused.json()["paused_reason"]) == ("paused", "number port")
    again = agent_api.post(f"{url}/pause", {"reason": "again"}, "application/json")
    assert again.status_code == 400
    assert "already paused" in again.json()["detail"]
    assert agent_api.post(f"{url}/resume").json()["state"] == "new"

    DjangoClient().post(workflow.ping_path)
    status = agent_api.get(f"{url}/status").json()
    assert status["state"] == "up"
    assert status["outage_ticket"] is None
    assert [(s["source"], s["kind"]) for s in status["signals"]][-1] == ("ping", "success")


def test_unknown_workflows_are_404(agent_api, workflows):
    for path in ("/api/workflows/999999", "/api/workflows/999999/status"):
        response = agent_api.get(path)
        assert response.status_code == 404
        assert response.json()["detail"] == "no workflow 999999"


def test_the_list_filters_by_client_platform_and_state(agent_api, workflows, client_a):
    make(client_a, "Acme n8n", platform="n8n")

    def names(query: str) -> list[str]:
        return [w["name"] for w in agent_api.get(f"/api/workflows{query}").json()["items"]]

    assert names("") == ["Acme n8n", "Acme reminders", "Cobalt classes"]
    assert names("?client=cobalt-gym") == ["Cobalt classes"]
    assert names("?client=acme-dental&platform=n8n") == ["Acme n8n"]
    assert names("?state=up") == []
    assert agent_api.get("/api/workflows?limit=1").json()["count"] == 3
    assert agent_api.get("/api/workflows?client=nobody").status_code == 400


def test_client_tokens_are_refused_on_the_agent_routes(alice_api, workflows):
    assert alice_api.get("/api/workflows").status_code == 403
    assert alice_api.get(f"/api/workflows/{workflows['a'].pk}").status_code == 403
    assert alice_api.post(f"/api/workflows/{workflows['a'].pk}/resume").status_code == 403


def test_a_client_lists_only_its_own_workflows_with_its_own_ping_url(
    alice_api, charlie_api, workflows
):
    mine = alice_api.get("/api/me/workflows").json()
    assert [w["name"] for w in mine] == ["Acme reminders"]
    assert mine[0]["ping_url"] == workflows["a"].ping_path
    assert "owner_notes" not in mine[0]
    theirs = charlie_api.get("/api/me/workflows")
    assert [w["name"] for w in theirs.json()] == ["Cobalt classes"]
    # The outsider's answer holds nothing of Acme's: not its name, not its ping code.
    assert "Acme" not in theirs.content.decode()
    assert str(workflows["a"].code) not in theirs.content.decode()


def test_me_workflows_refuses_staff_and_strangers(agent_api, api):
    assert agent_api.get("/api/me/workflows").status_code == 403
    assert api(None).get("/api/me/workflows").status_code == 401
