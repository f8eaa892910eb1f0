"""Automatic mail is recognised, so the desk never answers a machine."""

from __future__ import annotations

import pytest

from operant.mail.loops import LOOP_HEADER, auto_reply_reason
from operant.mail.parse import parse_message
from tests.mail.helpers import build, parse_sample, with_header


def test_it_flags_an_outlook_out_of_office_reply() -> None:
    parsed = parse_sample("auto_reply_outlook.eml")

    assert parsed.auto_reply
    assert parsed.auto_reply_reason == "Auto-Submitted: auto-replied"
    assert not parsed.bounce


def test_it_flags_a_bulk_newsletter() -> None:
    parsed = parse_sample("bulk_newsletter.eml")

    assert parsed.auto_reply
    assert parsed.auto_reply_reason == "Precedence: bulk"


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({"Auto-Submitted": "auto-replied"}, "Auto-Submitted: auto-replied"),
        ({"Auto-Submitted": "auto-generated; owner-email=x@y"}, "Auto-Submitted: auto-generated"),
        ({"Precedence": "bulk"}, "Precedence: bulk"),
        ({"Precedence": "junk"}, "Precedence: junk"),
        ({"Precedence": "list"}, "Precedence: list"),
        ({"X-Auto-Response-Suppress": "All"}, "X-Auto-Response-Suppress: All"),
        (
            {"X-Auto-Response-Suppress": "DR, OOF, AutoReply"},
            "X-Auto-Response-Suppress: DR, OOF, AutoReply",
        ),
        ({"X-Autoreply": "yes"}, "x-autoreply header"),
        ({"X-Autorespond": "Out of office"}, "x-autorespond header"),
        ({"List-Id": "<staff.clinic.example>"}, "mailing list (list-id)"),
        ({"List-Unsubscribe": "<mailto:u@x.example>"}, "mailing list (list-unsubscribe)"),
        ({"Return-Path": "<>"}, "null return path"),
    ],
)
def test_it_flags_each_kind_of_automatic_header(headers: dict[str, str], reason: str) -> None:
    parsed = parse_message(build(headers=headers))

    assert parsed.auto_reply
    assert parsed.auto_reply_reason == reason


@pytest.mark.parametrize(
    "subject",
    [
        "Out of Office: Reminders stopped",
        "Automatic reply: [OPR-12] Reminders",
        "Autoreply: your message",
        "Auto-Reply: your message",
        "RE: Out of the office until 3/10",
        "Abwesenheitsnotiz: Termin",
        "Automatische Antwort: Termin",
        "Réponse automatique : Rendez-vous",
        "Respuesta automática: cita",
        "Jane Cooper is out of the office.",
        "I am out of the office",
    ],
)
def test_it_flags_out_of_office_subjects(subject: str) -> None:
    parsed = parse_message(build(headers={"Subject": subject}))

    assert parsed.auto_reply
    assert parsed.auto_reply_reason == "out-of-office subject"


@pytest.mark.parametrize(
    "subject",
    [
        "Reminders stopped",
        "Question about out of office hours support",
        "Our autoresponder copy needs a change",
        "Re: Auto reply rule for Instagram",
    ],
)
def test_it_does_not_flag_human_mail(subject: str) -> None:
    parsed = parse_message(build(headers={"Subject": subject, "Auto-Submitted": "no"}))

    assert not parsed.auto_reply
    assert parsed.auto_reply_reason is None


def test_it_recognises_its_own_loop_header() -> None:
    parsed = parse_message(build(headers={LOOP_HEADER: "1"}))

    assert LOOP_HEADER == "X-Operant-Loop"
    assert parsed.loop_header
    assert parsed.auto_reply
    assert parsed.auto_reply_reason == "X-Operant-Loop header"


def test_it_does_not_see_a_loop_header_on_client_mail() -> None:
    assert not parse_sample("plain.eml").loop_header


def test_it_flags_a_read_receipt() -> None:
    content_type = 'multipart/report; report-type=disposition-notification; boundary="r"'
    raw = with_header(build(), "Content-Type", content_type)

    assert parse_message(raw).auto_reply_reason == "read receipt"


def test_its_checks_are_pure_functions_of_headers() -> None:
    assert auto_reply_reason({"precedence": ["Bulk"]}, "hello") == "Precedence: bulk"
    assert auto_reply_reason({}, "hello") is None
