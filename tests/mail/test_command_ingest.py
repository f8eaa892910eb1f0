"""`operant mail ingest FILE...`: each file lands in a ticket, or the line says why not."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from operant.desk.models import Ticket

pytestmark = pytest.mark.django_db

REQUEST = (
    b"From: Alice <alice@acme-dental.example>\r\nTo: support@operantco.com\r\n"
    b"Subject: Reminder texts stopped working\r\nMessage-ID: <ingest-1@acme-dental.example>\r\n"
    b"Date: Tue, 01 Dec 2026 10:00:00 -0500\r\n\r\nNo reminders went out this morning.\r\n"
)


def test_it_prints_the_ticket_each_file_landed_in(client_a, tmp_path) -> None:
    first = tmp_path / "first.eml"
    first.write_bytes(REQUEST)
    again = tmp_path / "again.eml"
    again.write_bytes(REQUEST)
    out = StringIO()
    call_command("mail", "ingest", str(first), str(again), stdout=out)
    ticket = Ticket.objects.get()
    lines = out.getvalue().splitlines()
    assert lines[0].startswith(f"{first}: {ticket.ref} (new ticket")
    assert lines[1].startswith(f"{again}: {ticket.ref}")
    shown = StringIO()
    call_command("tickets", "show", ticket.ref, "--json", stdout=shown)
    data = json.loads(shown.getvalue())
    assert data["client"] == client_a.slug
    assert data["class"] == "outage"
    assert data["clock"]["state"] == "running"
    assert data["messages"] == 2  # the request and our acknowledgement
    assert set(data) >= {"ref", "client", "class", "state", "clock", "reasons", "messages"}


def test_an_unreadable_file_is_reported_and_the_others_still_go_through(client_a, tmp_path) -> None:
    good = tmp_path / "good.eml"
    good.write_bytes(REQUEST)
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="1 of 2 file"):
        call_command(
            "mail", "ingest", str(tmp_path / "missing.eml"), str(good), stdout=out, stderr=err
        )
    assert "no such file" in err.getvalue()
    assert Ticket.objects.count() == 1


def test_an_unknown_ticket_reference_is_one_clear_error(db) -> None:
    with pytest.raises(CommandError, match="no ticket OPR-999"):
        call_command("tickets", "show", "OPR-999")
    with pytest.raises(CommandError, match="not a ticket reference"):
        call_command("tickets", "show", "banana")
