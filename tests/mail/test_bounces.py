"""Bounces are recognised and tied to the message of ours that failed."""

from __future__ import annotations

from operant.mail.parse import parse_message
from tests.mail.helpers import SAMPLES, build, parse_sample


def test_it_reads_a_postfix_dsn() -> None:
    parsed = parse_sample("dsn_postfix.eml")

    assert parsed.bounce
    assert parsed.bounced_message_id == "ticket-1077-ack@operant.test"
    assert parsed.bounce_recipients == ["nobody@acme-dental.example"]
    assert parsed.auto_reply
    assert parsed.problems == []


def test_it_does_not_mistake_a_dsn_for_our_own_loop() -> None:
    # The X-Operant-Loop header is in the *attached* original, not on the bounce.
    assert not parse_sample("dsn_postfix.eml").loop_header


def test_it_reads_a_gmail_bounce_from_mailer_daemon() -> None:
    parsed = parse_sample("bounce_gmail.eml")

    assert parsed.bounce
    assert parsed.bounced_message_id == "ticket-1050-reply-3@operant.test"
    assert parsed.bounce_recipients == ["gone@bakery.example"]


_DSN = """From: MAILER-DAEMON@mx.operant.test
To: support@operant.test
Subject: Delivery Status Notification
Message-ID: <dsn-1@mx.operant.test>
Date: Fri, 14 Mar 2025 10:00:05 +0000
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="R"

--R
Content-Type: text/plain

Your message has not been delivered yet.

--R
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.operant.test

Final-Recipient: rfc822; slow@clinic.example
Action: {action}
Status: 4.4.1

--R
Content-Type: message/rfc822

Message-ID: <ticket-5-ack@operant.test>
Subject: [OPR-5] received

ack
--R--
"""


def _dsn(action: str) -> bytes:
    return _DSN.format(action=action).encode()


def test_it_takes_the_original_id_from_an_attached_message() -> None:
    parsed = parse_message(_dsn("failed"))

    assert parsed.bounce
    assert parsed.bounced_message_id == "ticket-5-ack@operant.test"
    assert parsed.bounce_recipients == ["slow@clinic.example"]


def test_it_treats_a_delay_notice_as_automatic_but_not_a_bounce() -> None:
    parsed = parse_message(_dsn("delayed"))

    assert not parsed.bounce
    assert parsed.auto_reply
    assert parsed.auto_reply_reason == "delivery delay notification"


def test_it_does_not_take_human_mail_from_postmaster_for_a_bounce() -> None:
    raw = build(headers={"From": "postmaster@clinic.example", "Subject": "New MX records"})

    parsed = parse_message(raw)

    assert not parsed.bounce
    assert parsed.bounced_message_id is None


def test_it_does_not_take_client_mail_for_a_bounce() -> None:
    parsed = parse_sample("plain.eml")

    assert not parsed.bounce
    assert parsed.bounce_recipients == []


def test_control_characters_in_a_report_field_never_reach_the_recipients() -> None:
    """Found by fuzzing: a NUL inside Final-Recipient came out in failed_recipients, which no
    PostgreSQL text column can store."""
    raw = (SAMPLES / "dsn_postfix.eml").read_bytes()
    assert b"Final-Recipient: rfc822;" in raw
    damaged = raw.replace(b"Final-Recipient: rfc822;", b"Final-Recipient: rfc822;\x00\x07", 1)
    parsed = parse_message(damaged)
    assert parsed.bounce
    assert parsed.bounce_recipients == ["nobody@acme-dental.example"]
    assert not any("\x00" in address for address in parsed.bounce_recipients)
