"""`operant quotes`: list, show, expire; an unknown reference is one line and exit 1."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from tests.quotes.conftest import SENT

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = StringIO()
    call_command("quotes", *args, stdout=out)
    return out.getvalue()


def test_list_and_show(sent, make_draft) -> None:
    draft = make_draft(title="Second")
    lines = _run("list").splitlines()
    assert lines[0].startswith(f"{draft.ref}  draft     250.00 USD")
    assert lines[1].startswith(f"{sent.ref}  sent      250.00 USD")
    assert _run("list", "--state", "sent").count("\n") == 1
    shown = json.loads(_run("show", sent.ref, "--json"))
    assert (shown["ref"], shown["total"], shown["lines"][0]["hours"]) == (
        sent.ref,
        "250.00",
        "2.00",
    )


def test_an_unknown_quote_is_one_line(db) -> None:
    with pytest.raises(CommandError, match="no quote Q-404"):
        _run("show", "Q-404")


def test_expire_now(sent) -> None:
    with time_machine.travel(SENT + timedelta(days=31), tick=False):
        assert _run("expire") == "expired 1 quote\n"
        assert _run("expire") == "expired 0 quotes\n"
