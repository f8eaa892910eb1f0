"""`operant mail parse FILE [--json]`: the stable JSON contract and one-line errors."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.mail.helpers import SAMPLES

CONTRACT_KEYS = [
    "message_id", "in_reply_to", "references", "from", "to", "cc", "subject", "date", "text",
    "html", "attachments", "auto_reply", "bounce", "problems",
]  # fmt: skip


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("mail", *args, stdout=out)
    return out.getvalue()


def _parse_json(name: str) -> dict[str, object]:
    data = json.loads(_run("parse", str(SAMPLES / name), "--json"))
    assert isinstance(data, dict)
    return data


def test_it_prints_exactly_the_contract_keys() -> None:
    data = _parse_json("alternative.eml")

    assert list(data) == CONTRACT_KEYS


def test_it_prints_the_parsed_values() -> None:
    data = _parse_json("alternative.eml")

    assert data["message_id"] == "CAF=abc123@mail.gmail.com"
    assert data["in_reply_to"] is None
    assert data["references"] == []
    assert data["from"] == {"address": "tom@bakery.example", "name": "Tom O'Brien"}
    assert data["to"] == [{"address": "support@operant.test", "name": ""}]
    assert data["cc"] == [{"address": "owner@bakery.example", "name": "Owner"}]
    assert data["subject"] == "Instagram auto-reply copy change"
    assert data["date"] == "2025-03-04T08:30:00+00:00"
    assert isinstance(data["text"], str)
    assert str(data["text"]).startswith("Hi there,")
    assert "<b>7am</b>" in str(data["html"])
    assert data["attachments"] == [
        {"filename": "menu-spring.pdf", "content_type": "application/pdf", "size": 321}
    ]
    assert data["auto_reply"] is False
    assert data["bounce"] is False
    assert data["problems"] == []


def test_it_prints_nulls_for_what_is_missing(tmp_path: Path) -> None:
    path = tmp_path / "bare.eml"
    path.write_bytes(b"Subject: hello\n\nbody\n")

    data = json.loads(_run("parse", str(path), "--json"))

    assert data["from"] is None
    assert data["date"] is None
    assert data["message_id"] is None
    assert data["html"] is None
    assert "missing Message-ID" in data["problems"]


def test_it_prints_a_fatal_parse_as_json_too_and_then_fails(tmp_path: Path) -> None:
    path = tmp_path / "empty.eml"
    path.write_bytes(b"")
    out = io.StringIO()

    with pytest.raises(CommandError) as error:
        call_command("mail", "parse", str(path), "--json", stdout=out)

    data = json.loads(out.getvalue())
    assert list(data) == CONTRACT_KEYS
    assert data["problems"] == ["empty message"]
    assert str(error.value) == f"{path}: not readable as mail (empty message)"


def test_it_prints_the_summary_of_a_fatal_parse_and_then_fails(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"just some notes\nnothing like mail\n")
    out = io.StringIO()

    with pytest.raises(CommandError, match="not readable as mail"):
        call_command("mail", "parse", str(path), stdout=out)

    assert "Fatal:       not readable as mail" in out.getvalue()


def test_the_installed_command_exits_non_zero_on_an_unreadable_message(tmp_path: Path) -> None:
    path = tmp_path / "empty.eml"
    path.write_bytes(b"")

    result = subprocess.run(
        [str(Path(sys.executable).parent / "operant"), "mail", "parse", str(path), "--json"],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 1
    assert json.loads(result.stdout)["problems"] == ["empty message"]
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        f"CommandError: {path}: not readable as mail (empty message)"
    ]


def test_a_readable_message_exits_zero_in_the_installed_command() -> None:
    result = subprocess.run(
        [str(Path(sys.executable).parent / "operant"), "mail", "parse", str(SAMPLES / "plain.eml")],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert "Subject:" in result.stdout


def test_the_summary_says_why_a_mail_is_spam_or_from_a_robot(tmp_path: Path) -> None:
    path = tmp_path / "robot.eml"
    path.write_bytes(
        b"From: Jira <noreply@acme-dental.example>\r\nSubject: [SPAM] Issue updated\r\n"
        b"Message-ID: <j1@acme-dental.example>\r\n\r\nIssue OPS-1 was updated.\r\n"
    )

    output = _run("parse", str(path))

    assert "Spam:        yes (spam tag in the subject ([SPAM]))" in output
    assert "Robot:       yes (robot sender (noreply@acme-dental.example))" in output


def test_it_flags_bounces_and_auto_replies_in_json() -> None:
    assert _parse_json("dsn_postfix.eml")["bounce"] is True
    assert _parse_json("auto_reply_outlook.eml")["auto_reply"] is True


def test_it_prints_a_short_summary_without_json() -> None:
    output = _run("parse", str(SAMPLES / "dsn_postfix.eml"))

    assert "Subject:     Undelivered Mail Returned to Sender" in output
    assert "Bounce:      yes (original ticket-1077-ack@operant.test)" in output
    assert "Attachment:  (unnamed) message/delivery-status" in output
    with pytest.raises(json.JSONDecodeError):
        json.loads(output)


def test_it_reads_standard_input(monkeypatch: pytest.MonkeyPatch) -> None:
    raw = (SAMPLES / "plain.eml").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))

    data = json.loads(_run("parse", "-", "--json"))

    assert data["subject"] == "Appointment reminders stopped sending"


def test_it_refuses_a_missing_file_in_one_line(tmp_path: Path) -> None:
    with pytest.raises(CommandError) as error:
        _run("parse", str(tmp_path / "nope.eml"), "--json")

    assert str(error.value) == f"no such file: {tmp_path / 'nope.eml'}"


def test_it_refuses_a_directory(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="is a directory"):
        _run("parse", str(tmp_path))


def test_the_installed_command_fails_cleanly_on_a_missing_file(tmp_path: Path) -> None:
    binary = Path(sys.executable).parent / "operant"
    missing = tmp_path / "missing.eml"

    result = subprocess.run(
        [str(binary), "mail", "parse", str(missing), "--json"],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode != 0
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert str(missing) in result.stderr
