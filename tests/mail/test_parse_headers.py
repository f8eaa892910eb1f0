"""Header decoding: ids, addresses, subjects and dates, including the broken kinds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from operant.mail.parse import Address, parse_message
from tests.mail.helpers import build, parse_sample, sample, with_header


def test_it_reads_the_headers_of_a_plain_message() -> None:
    parsed = parse_sample("plain.eml")

    assert parsed.message_id == "20250303150405.1234@acme-dental.example"
    assert parsed.from_ == Address("jane@acme-dental.example", "Jane Cooper")
    assert parsed.to == [Address("support@operant.test", "Operant Support")]
    assert parsed.subject == "Appointment reminders stopped sending"
    assert parsed.date == datetime(2025, 3, 3, 15, 4, 5, tzinfo=UTC)
    assert parsed.date.utcoffset() == timedelta(hours=-5)
    assert parsed.problems == []
    assert not parsed.fatal


def test_it_strips_angle_brackets_from_thread_ids() -> None:
    parsed = parse_sample("reply_outlook.eml")

    assert parsed.in_reply_to == "ticket-1042-reply-1@operant.test"
    assert parsed.references == ["first-1042@lawfirm.example", "ticket-1042-reply-1@operant.test"]


def test_it_decodes_rfc2047_subject() -> None:
    parsed = parse_sample("encoded_headers.eml")

    assert parsed.subject == "Rückruf-SMS geht nicht \u2013 dringend"


def test_it_decodes_rfc2047_names_in_utf8_and_iso_8859_1() -> None:
    parsed = parse_sample("encoded_headers.eml")

    assert parsed.from_ == Address("joerg@praxis.example", "Jörg Müller")  # UTF-8, B
    assert parsed.to[0] == Address("andre@praxis.example", "André Dupré")  # Latin-1, Q
    assert parsed.cc == [Address("zoe@praxis.example", "Zoë ✓")]  # UTF-8, q
    assert parsed.problems == []


def test_it_decodes_raw_utf8_headers_without_encoded_words() -> None:
    parsed = parse_sample("raw_utf8_headers.eml")

    assert parsed.subject == "Grüße \u2013 Terminbestätigung fehlt"
    assert parsed.from_ == Address("zoe@praxis.example", "Zoë Müller")
    assert parsed.problems == []


def test_it_decodes_raw_latin1_headers_and_says_it_guessed() -> None:
    raw = with_header(build(), "Subject", "Grüße aus Köln".encode("latin-1"))

    parsed = parse_message(raw)

    assert parsed.subject == "Grüße aus Köln"
    assert any("not UTF-8" in p for p in parsed.problems)


def test_it_keeps_going_after_invalid_encoded_words() -> None:
    raw = with_header(build(), "Subject", "=?x-no-such-charset?Q?caf=E9?= =?utf-8?B?!!!?= ok")

    parsed = parse_message(raw)

    assert "ok" in parsed.subject
    assert not parsed.fatal


def test_it_reports_a_missing_message_id() -> None:
    raw = with_header(build(), "Message-ID", None)

    parsed = parse_message(raw)

    assert parsed.message_id is None
    assert "missing Message-ID" in parsed.problems


def test_it_reports_a_message_id_without_an_id() -> None:
    parsed = parse_message(with_header(build(), "Message-ID", "<>"))

    assert parsed.message_id is None
    assert "invalid Message-ID" in parsed.problems


def test_it_reports_a_missing_date() -> None:
    parsed = parse_message(with_header(build(), "Date", None))

    assert parsed.date is None
    assert "missing Date" in parsed.problems


def test_it_reports_an_unparseable_date() -> None:
    parsed = parse_message(with_header(build(), "Date", "next Tuesday-ish"))

    assert parsed.date is None
    assert any(p.startswith("unparseable Date") for p in parsed.problems)


def test_it_reports_an_impossible_date() -> None:
    parsed = parse_message(with_header(build(), "Date", "Tue, 31 Feb 2025 10:00:00 +0000"))

    assert parsed.date is None
    assert any(p.startswith("unparseable Date") for p in parsed.problems)


def test_it_reads_a_date_without_zone_as_utc() -> None:
    parsed = parse_message(with_header(build(), "Date", "Mon, 3 Mar 2025 10:04:00 -0000"))

    assert parsed.date == datetime(2025, 3, 3, 10, 4, tzinfo=UTC)
    assert parsed.date.tzinfo is not None


def test_it_reads_500_recipients() -> None:
    to = ", ".join(f'"Patient {i}" <patient{i}@clinic.example>' for i in range(300))
    cc = ", ".join(f"staff{i}@clinic.example" for i in range(200))

    parsed = parse_message(build(headers={"To": to, "Cc": cc}))

    assert len(parsed.to) == 300
    assert len(parsed.cc) == 200
    assert parsed.recipients_count == 500
    assert parsed.to[299] == Address("patient299@clinic.example", "Patient 299")
    assert parsed.problems == []


def test_it_keeps_the_good_addresses_of_a_malformed_list() -> None:
    raw = with_header(build(), "To", 'ok@clinic.example, <bad@@x, "unterminated <x@y>')

    parsed = parse_message(raw)

    assert Address("ok@clinic.example", "") in parsed.to
    assert any(p.startswith("To header:") for p in parsed.problems)


def test_it_reports_a_missing_sender() -> None:
    parsed = parse_message(with_header(build(), "From", None))

    assert parsed.from_ is None
    assert "missing From" in parsed.problems


def test_it_reads_an_empty_group_as_no_recipients() -> None:
    parsed = parse_message(with_header(build(), "To", "undisclosed-recipients:;"))

    assert parsed.to == []
    assert parsed.problems == []


def test_it_keeps_a_sample_of_the_headers_for_inspection() -> None:
    parsed = parse_sample("plain.eml")

    names = [name for name, _ in parsed.headers_sample]
    assert names[:2] == ["Return-Path", "Received"]
    assert all(len(value) <= 200 for _, value in parsed.headers_sample)


def test_it_ignores_blank_lines_before_the_headers() -> None:
    parsed = parse_message(b"\r\n\n" + sample("plain.eml"))

    assert parsed.subject == "Appointment reminders stopped sending"
    assert not parsed.fatal
