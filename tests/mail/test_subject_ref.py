"""The ticket reference routing finds in a subject is the one the desk writes, built from the
desk's REF_PREFIX rather than a copy of its letters."""

from __future__ import annotations

import re

from operant.desk.emails import reply_subject
from operant.desk.models import REF_PREFIX, Ticket
from operant.mail.parse import parse_message
from operant.mail.routing import REF_IN_SUBJECT, subject_ref


def _subject(text: str) -> bytes:
    return f"From: alice@acme-dental.example\r\nSubject: {text}\r\n\r\nThanks\r\n".encode()


def test_a_reply_to_what_the_desk_sent_names_its_ticket() -> None:
    ticket = Ticket(pk=1234, subject="Reminder texts stopped")
    assert subject_ref(parse_message(_subject(f"Re: {reply_subject(ticket)}"))) == 1234


def test_the_pattern_is_built_from_the_prefix() -> None:
    assert REF_IN_SUBJECT.search(f"[{REF_PREFIX.lower()}-7] hello")[1] == "7"
    assert re.escape(REF_PREFIX) in REF_IN_SUBJECT.pattern


def test_a_reference_too_large_for_a_key_names_no_ticket() -> None:
    assert subject_ref(parse_message(_subject(f"[{REF_PREFIX}-{2**63}] hello"))) is None
