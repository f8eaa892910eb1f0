"""`operant workflows`: add, show, list, pause, resume; the JSON contract and one-line errors."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client as HttpClient
from django.utils import timezone

from operant.monitoring.models import Workflow
from tests.monitoring.conftest import run_worker

pytestmark = pytest.mark.django_db

SID = "FW" + "0" * 32


def run(*args: str) -> str:
    out = StringIO()
    call_command("workflows", *args, stdout=out)
    return out.getvalue()


def add(*extra: str) -> dict:
    return json.loads(
        run(
            "add", "--client", "acme-dental", "--name", "Reminders", "--platform", "twilio_studio",
            "--integration", "twilio_sms", *extra, "--json",
        )
    )  # fmt: skip


def test_add_prints_the_workflow_with_its_ping_path_and_state(client_a):
    data = add("--period", "3600", "--grace", "600", "--phone", "+15551234567", "--sid", SID)
    workflow = Workflow.objects.get()
    assert data["id"] == workflow.pk
    assert data["ping_url"] == f"/ping/{workflow.code}"
    assert data["state"] == "new"
    assert data["client"] == "acme-dental"
    assert data["integrations"] == ["twilio_sms"]
    assert data["identifiers"] == {"phones": ["+15551234567"], "sids": [SID], "accounts": []}
    assert data["schedule"] == {
        "kind": "simple",
        "period_seconds": 3600,
        "grace_seconds": 600,
        "cron": None,
        "tz": "UTC",
    }
    assert data["outage_ticket"] is None


def test_add_with_a_cron_schedule_in_a_time_zone(client_a):
    data = add("--cron", "0  9 * * 1-5", "--tz", "America/New_York", "--grace", "900")
    assert data["schedule"]["kind"] == "cron"
    assert data["schedule"]["cron"] == "0 9 * * 1-5"
    assert data["schedule"]["tz"] == "America/New_York"


@pytest.mark.parametrize(
    ("extra", "client", "message"),
    [
        ((), "nobody", "no client with slug 'nobody'"),
        (("--integration", "instagram_messaging"), "acme-dental", "not in Acme Dental's Growth"),
        (("--cron", "0 0 30 2 *"), "acme-dental", "never fires"),
        (("--cron", "nonsense"), "acme-dental", "expected 5 fields"),
        (("--period", "60", "--cron", "0 9 * * *"), "acme-dental", "not both"),
        (("--phone", "555-1234"), "acme-dental", "phone number '555-1234' is not valid"),
    ],
)
def test_add_refuses_bad_input_with_one_line(client_a, extra, client, message):
    with pytest.raises(CommandError, match=message) as refused:
        call_command(
            "workflows", "add", "--client", client, "--name", "X", "--platform", "n8n",
            "--integration", "twilio_sms", *extra, stdout=StringIO(),
        )  # fmt: skip
    assert "\n" not in str(refused.value)
    assert not Workflow.objects.exists()


def test_show_prints_state_last_signal_and_the_open_outage_ticket(client_a, operator):
    workflow_id = add("--period", "3600", "--grace", "600")["id"]
    data = json.loads(run("show", str(workflow_id), "--json"))
    assert (data["state"], data["last_signal_at"], data["outage_ticket"]) == ("new", None, None)

    code = Workflow.objects.get().code
    assert HttpClient().post(f"/ping/{code}/fail").status_code == 200
    run_worker(timezone.now())
    data = json.loads(run("show", str(workflow_id), "--json"))
    workflow = Workflow.objects.get()
    assert data["state"] == "down"
    assert data["last_signal_at"] == workflow.last_signal_at.isoformat()
    assert data["outage_ticket"] == workflow.outage_ticket.ref
    assert data["outage_ticket"].startswith("OPR-")


def test_show_refuses_an_unknown_or_malformed_id(client_a):
    with pytest.raises(CommandError, match="no workflow 99"):
        run("show", "99", "--json")
    with pytest.raises(CommandError, match="'abc' is not a workflow id"):
        run("show", "abc")


def test_list_filters_by_client(client_a, client_c):
    add()
    run(
        "add", "--client", "cobalt-gym", "--name", "Class reminders", "--platform", "n8n",
        "--integration", "twilio_sms",
    )  # fmt: skip
    everything = json.loads(run("list", "--json"))
    assert [row["client"] for row in everything] == ["acme-dental", "cobalt-gym"]
    only = json.loads(run("list", "--client", "cobalt-gym", "--json"))
    assert [row["name"] for row in only] == ["Class reminders"]
    with pytest.raises(CommandError, match="no client with slug 'zzz'"):
        run("list", "--client", "zzz")
    assert "Class reminders" in run("list")


def test_pause_needs_a_reason_and_resume_undoes_it(client_a):
    workflow_id = str(add()["id"])
    with pytest.raises(CommandError, match="say why"):
        run("pause", workflow_id, "--reason", "  ")
    data = json.loads(run("pause", workflow_id, "--reason", "number port", "--json"))
    assert (data["state"], data["paused_reason"]) == ("paused", "number port")
    with pytest.raises(CommandError, match="already paused"):
        run("pause", workflow_id, "--reason", "again")
    data = json.loads(run("resume", workflow_id, "--json"))
    assert (data["state"], data["paused_reason"]) == ("new", None)
    with pytest.raises(CommandError, match="is not paused"):
        run("resume", workflow_id)


def test_add_sets_the_failure_rule_and_refuses_a_bad_one(client_a) -> None:  # type: ignore[no-untyped-def]
    out = StringIO()
    call_command(
        "workflows",
        "add",
        "--client",
        client_a.slug,
        "--name",
        "Texts",
        "--platform",
        "twilio_studio",
        "--integration",
        "twilio_sms",
        "--failure-percent",
        "40",
        "--failure-window",
        "600",
        "--failure-min",
        "20",
        "--json",
        stdout=out,
    )
    assert json.loads(out.getvalue())["failure_rule"] == {
        "percent": 40,
        "window_seconds": 600,
        "min_messages": 20,
    }
    with pytest.raises(CommandError, match="failure rate is a percent from 1 to 100"):
        call_command(
            "workflows",
            "add",
            "--client",
            client_a.slug,
            "--name",
            "Other",
            "--platform",
            "twilio_studio",
            "--integration",
            "twilio_sms",
            "--failure-percent",
            "0",
        )
