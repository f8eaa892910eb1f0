"""`operant time log` and `operant allowance`: the CLI contract."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.core.management import CommandError, call_command

from operant.accounts.services import agent_create
from operant.allowance.models import TimeEntry
from operant.allowance.services import allowance_month_close
from tests.allowance.conftest import MID_DECEMBER, NOVEMBER

pytestmark = pytest.mark.django_db
OPERANT = Path(sys.executable).with_name("operant")


@pytest.fixture(autouse=True)
def _mid_december():
    with time_machine.travel(MID_DECEMBER, tick=False):
        yield


@pytest.fixture
def admin(db):
    return agent_create(email="boss@operant.test", name="Bo Boss", password="x" * 20, role="admin")


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_time_log_logs_an_entry_and_says_what_remains(ticket, agent):
    out = run(
        "time", "log", "--ticket", ticket.ref, "--minutes", "20", "--kind", "adjustment",
        "--note", "greeting", "--agent", "AGENT@operant.test",
    )  # fmt: skip
    assert out.strip() == (
        f"logged 20 min adjustment on {ticket.ref} (2026-12-16, agent@operant.test); "
        "acme-dental has 10 of 30 allowance minutes left for 2026-12"
    )
    entry = TimeEntry.objects.get()
    assert (entry.minutes, entry.note, entry.agent) == (20, "greeting", agent)


def test_time_log_prints_json(ticket, agent):
    out = run(
        "time", "log", "--ticket", str(ticket.pk), "--minutes", "5", "--kind", "uncharged",
        "--date", "2026-12-01", "--agent", agent.email, "--json",
    )  # fmt: skip
    data = json.loads(out)
    assert data["ticket"] == ticket.ref
    assert (data["kind"], data["minutes"], data["work_date"]) == ("uncharged", 5, "2026-12-01")
    assert data["allowance"]["remaining_minutes"] == 30


def test_time_log_without_agent_uses_the_first_admin(ticket, admin):
    run("time", "log", "--ticket", ticket.ref, "--minutes", "5", "--kind", "adjustment")
    assert TimeEntry.objects.get().agent == admin


def test_time_log_without_agent_or_admin_fails_clearly(ticket, agent):
    with pytest.raises(CommandError, match="no admin user to log time as; name the agent"):
        run("time", "log", "--ticket", ticket.ref, "--minutes", "5", "--kind", "adjustment")


def test_time_log_refuses_an_overdraft_in_one_line(ticket, agent):
    run("time", "log", "--ticket", ticket.ref, "--minutes", "25", "--kind", "adjustment",
        "--agent", agent.email)  # fmt: skip
    with pytest.raises(CommandError) as refused:
        run("time", "log", "--ticket", ticket.ref, "--minutes", "10", "--kind", "adjustment",
            "--agent", agent.email)  # fmt: skip
    message = str(refused.value)
    assert "\n" not in message
    assert "only 5 of the 30 allowance minutes for December 2026 remain, not 10" in message
    assert TimeEntry.objects.count() == 1


@pytest.mark.parametrize(
    ("args", "why"),
    [
        (["--minutes", "ten"], "--minutes must be a whole number of minutes, got 'ten'"),
        (["--minutes", "-5"], "minutes must be from 1 to 600"),
        (["--date", "16/12/2026"], "--date must be a date like 2026-12-01"),
        (["--date", "2026-12-24"], "is in the future"),
        (["--kind", "billable"], "unknown kind 'billable'"),
        (["--kind", "quoted"], "quoted time needs the accepted quote"),
        (["--kind", "quoted", "--quote", "Q-999"], "no quote Q-999"),
        (["--ticket", "OPR-999"], "no ticket OPR-999"),
        (["--agent", "alice@acme-dental.example"], "is not Operant staff"),
        (["--agent", "nobody@example.net"], "no user nobody@example.net"),
    ],
)
def test_time_log_says_why_not_in_one_line(ticket, agent, alice, args, why):
    options = {"--ticket": ticket.ref, "--minutes": "5", "--kind": "adjustment"}
    options["--agent"] = agent.email
    options.update(dict(zip(args[::2], args[1::2], strict=True)))
    argv = [item for pair in options.items() for item in pair]
    with pytest.raises(CommandError) as refused:
        run("time", "log", *argv)
    assert why in str(refused.value)
    assert "\n" not in str(refused.value)
    assert not TimeEntry.objects.exists()


def test_time_log_takes_quoted_time_under_an_accepted_quote(ticket, agent, make_quote):
    quote = make_quote(ticket.client)
    run("time", "log", "--ticket", ticket.ref, "--minutes", "90", "--kind", "quoted",
        "--quote", quote.ref.lower(), "--agent", agent.email)  # fmt: skip
    assert TimeEntry.objects.get().quote == quote


def test_allowance_prints_the_month_as_json(ticket, agent, acme):
    run("time", "log", "--ticket", ticket.ref, "--minutes", "12", "--kind", "adjustment",
        "--agent", agent.email)  # fmt: skip
    assert json.loads(run("allowance", "--client", "acme-dental", "--json")) == {
        "client": "acme-dental",
        "month": "2026-12",
        "allowance_minutes": 30,
        "used_minutes": 12,
        "remaining_minutes": 18,
        "carried_minutes": 0,
        "closed": False,
    }


def test_allowance_of_a_closed_month(acme):
    allowance_month_close(client=acme, month=NOVEMBER, now=MID_DECEMBER)
    data = json.loads(run("allowance", "--client", "acme-dental", "--month", "2026-11", "--json"))
    assert (data["month"], data["closed"], data["remaining_minutes"]) == ("2026-11", True, 30)
    assert run("allowance", "--client", "acme-dental", "--month", "2026-11").strip() == (
        "acme-dental 2026-11: 0 of 30 minutes used, 30 remaining (closed)"
    )


@pytest.mark.parametrize(
    ("args", "why"),
    [
        (["--client", "nobody"], "no client 'nobody'"),
        (["--client", "acme-dental", "--month", "2026-13"], "--month: '2026-13' is not a month"),
    ],
)
def test_allowance_says_why_not(acme, args, why):
    with pytest.raises(CommandError, match=why):
        run("allowance", *args)


def test_the_installed_command_refuses_an_overdraft_in_one_line(tmp_path):
    """The real binary on a fresh database: a client, a ticket, 25 minutes logged, then 10
    more refused with one line on stderr and a non-zero exit."""
    env = {**os.environ, "OPERANT_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)

    def operant(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([OPERANT, *args], env=env, capture_output=True, text=True)

    assert operant("migrate", "--skip-checks", "-v0").returncode == 0
    setup = (
        "from django.utils import timezone\n"
        "from operant.accounts.services import agent_create, client_create\n"
        "from operant.desk.services import ticket_open\n"
        "agent_create(email='admin@operant.test', name='Ad Min', password='x'*20, role='admin')\n"
        "c = client_create(name='Acme', package_key='growth', emails=['a@acme.example'])\n"
        "now = timezone.now()\n"
        "t = ticket_open(client=c, contact=c.contacts.get(), requester_email='a@acme.example',"
        " subject='Typo', text='Please fix a typo', received_at=now, now=now)\n"
        "print(t.ref)\n"
    )
    opened = operant("shell", "-v0", "-c", setup)
    assert opened.returncode == 0, opened.stderr
    ref = opened.stdout.strip().splitlines()[-1]
    first = operant("time", "log", "--ticket", ref, "--minutes", "25", "--kind", "adjustment")
    assert first.returncode == 0, first.stderr
    assert "has 5 of 30 allowance minutes left" in first.stdout
    refused = operant("time", "log", "--ticket", ref, "--minutes", "10", "--kind", "adjustment")
    assert refused.returncode != 0
    assert refused.stdout == ""
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1, refused.stderr
    assert "only 5 of the 30 allowance minutes" in lines[0]
    assert "split the entry" in lines[0]
    assert "Traceback" not in refused.stderr
    shown = operant("allowance", "--client", "acme", "--json")
    assert json.loads(shown.stdout)["used_minutes"] == 25
