"""Bodies, charsets, attachments and broken MIME structure."""

from __future__ import annotations

import base64
from email.message import EmailMessage

from operant.mail.parse import parse_message
from tests.mail.helpers import build, parse_sample, with_header

MB = 1024 * 1024


def test_it_reads_the_text_of_a_plain_message() -> None:
    parsed = parse_sample("plain.eml")

    assert parsed.text.startswith("Hi,\n\nSince this morning our patients")
    assert parsed.text.endswith("+1 555 0100")
    assert parsed.html is None
    assert parsed.attachments == []


def test_it_takes_text_and_html_from_an_alternative() -> None:
    parsed = parse_sample("alternative.eml")

    assert parsed.text.startswith("Hi there,\n\nPlease change the Instagram auto-reply")
    assert "\r" not in parsed.text
    assert parsed.html is not None
    assert "<b>7am</b>" in parsed.html
    assert parsed.problems == []


def test_it_lists_an_attachment_with_its_content() -> None:
    parsed = parse_sample("alternative.eml")

    [attachment] = parsed.attachments
    assert attachment.filename == "menu-spring.pdf"
    assert attachment.content_type == "application/pdf"
    assert attachment.content is not None
    assert attachment.content.startswith(b"%PDF-1.4")
    assert attachment.size == len(attachment.content)
    assert attachment.content_id == "f_m7x1@gmail"
    assert not attachment.omitted


def test_it_derives_the_text_of_an_html_only_message() -> None:
    parsed = parse_sample("html_only.eml")

    assert parsed.text == (
        "Hello,\n\nSince Friday the missed-call text goes out twice & patients are confused:"
        "\n\n- first at 9:01\n- again at 9:02\n\nGrüße,\nMaría"
    )
    assert parsed.html is not None
    assert "<script" not in parsed.html
    assert "ignored title" not in parsed.text


def test_it_decodes_latin1_bytes_sent_as_utf8_and_says_so() -> None:
    parsed = parse_sample("wrong_charset.eml")

    assert "« café ouvert à 7h »" in parsed.text
    assert parsed.problems == ["text/plain part: not valid utf-8, detected as windows-1252"]


def test_it_reads_utf8_bytes_without_a_declared_charset() -> None:
    parsed = parse_sample("missing_charset.eml")

    assert parsed.text.startswith("¿Pueden cambiar el mensaje automático?")
    assert parsed.problems == []


def test_it_guesses_latin1_without_a_declared_charset_and_says_so() -> None:
    raw = (
        b"From: a@clinic.example\nTo: support@operant.test\nSubject: x\n"
        b"Message-ID: <cs@x>\nDate: Mon, 3 Mar 2025 10:00:00 +0000\n"
        b"Content-Type: text/plain\n\nAdi\xf3s se\xf1or\n"
    )

    parsed = parse_message(raw)

    assert parsed.text == "Adiós señor"
    assert any("no charset and not UTF-8" in p for p in parsed.problems)


def test_it_survives_an_unknown_charset() -> None:
    raw = with_header(build(), "Content-Type", 'text/plain; charset="x-martian"')

    parsed = parse_message(raw)

    assert parsed.text.startswith("Hello, the reminders stopped.")
    assert any("unknown charset 'x-martian'" in p for p in parsed.problems)


def test_it_reads_parts_before_a_missing_closing_boundary() -> None:
    parsed = parse_sample("missing_closing_boundary.eml")

    assert parsed.text == "The class-booking SMS shows an error, screenshot attached."
    assert [a.filename for a in parsed.attachments] == ["error.png"]
    assert parsed.attachments[0].content is not None
    assert parsed.attachments[0].content.startswith(b"\x89PNG")
    assert any("closing boundary missing" in p for p in parsed.problems)


def test_it_recovers_parts_when_the_declared_boundary_is_wrong() -> None:
    parsed = parse_sample("garbage_boundary.eml")

    assert parsed.text == "Resending: the booking SMS fails for classes after 6pm."
    assert [a.filename for a in parsed.attachments] == ["bookings.csv"]
    assert any("boundary does not match" in p for p in parsed.problems)


def test_it_keeps_a_multipart_without_boundary_as_text() -> None:
    raw = with_header(build("just some words\n"), "Content-Type", "multipart/mixed")

    parsed = parse_message(raw)

    assert parsed.text == "just some words"
    assert any("without a boundary" in p for p in parsed.problems)


def test_it_decodes_truncated_base64_as_far_as_it_goes() -> None:
    parsed = parse_sample("broken_base64.eml")

    assert parsed.text == (
        "The nightly export of missed calls is empty since Tuesday. Please check."
    )
    assert parsed.problems == ["base64: truncated data"]


def test_it_survives_base64_with_invalid_characters() -> None:
    raw = (
        b"From: a@clinic.example\nSubject: x\nMessage-ID: <b@x>\n"
        b"Date: Mon, 3 Mar 2025 10:00:00 +0000\nContent-Type: text/plain; charset=utf-8\n"
        b"Content-Transfer-Encoding: base64\n\nSGVsbG8g***V29ybGQ=\n"
    )

    parsed = parse_message(raw)

    assert parsed.text.startswith("Hello")
    assert parsed.problems != []


def _with_attachment(size: int) -> bytes:
    message = EmailMessage()
    message["From"] = "jane@acme-dental.example"
    message["To"] = "support@operant.test"
    message["Subject"] = "Call recordings"
    message["Date"] = "Mon, 03 Mar 2025 10:04:05 -0500"
    message["Message-ID"] = "<big@acme-dental.example>"
    message.set_content("Recordings attached.")
    message.add_attachment(
        b"\x00" * size, maintype="application", subtype="zip", filename="recordings.zip"
    )
    return message.as_bytes()


def test_it_omits_an_attachment_over_the_limit_but_records_its_size() -> None:
    parsed = parse_message(_with_attachment(30 * MB))

    [attachment] = parsed.attachments
    assert attachment.omitted
    assert attachment.content is None
    assert attachment.size == 30 * MB
    assert attachment.filename == "recordings.zip"
    assert any("over the" in p and "recordings.zip" in p for p in parsed.problems)
    assert parsed.text == "Recordings attached."


def test_it_keeps_an_attachment_under_a_custom_limit() -> None:
    parsed = parse_message(_with_attachment(1000), max_attachment_bytes=1000)

    [attachment] = parsed.attachments
    assert not attachment.omitted
    assert attachment.content == b"\x00" * 1000
    assert parsed.problems == []


def test_it_omits_an_attachment_over_a_custom_limit() -> None:
    parsed = parse_message(_with_attachment(1001), max_attachment_bytes=1000)

    assert parsed.attachments[0].omitted


def test_it_strips_directories_from_attachment_names() -> None:
    message = EmailMessage()
    message["From"] = "x@clinic.example"
    message["Message-ID"] = "<n@x>"
    message.set_content("see attached")
    message.add_attachment(b"x", maintype="text", subtype="plain", filename="../../etc/passwd")
    message.add_attachment(b"y", maintype="text", subtype="plain", filename="C:\\tmp\\notes.txt")

    parsed = parse_message(message.as_bytes())

    assert [a.filename for a in parsed.attachments] == ["passwd", "notes.txt"]
    assert parsed.text == "see attached"


def test_it_decodes_encoded_attachment_names() -> None:
    data = base64.b64encode(b"%PDF").decode()
    raw = (
        "From: a@praxis.example\nSubject: Rechnung\nMessage-ID: <f@x>\n"
        "Date: Mon, 3 Mar 2025 10:00:00 +0000\n"
        'Content-Type: multipart/mixed; boundary="b"\n\n'
        "--b\nContent-Type: text/plain\n\nAnbei.\n"
        "--b\nContent-Type: application/pdf\nContent-Transfer-Encoding: base64\n"
        "Content-Disposition: attachment; filename*=utf-8''R%C3%A9sum%C3%A9.pdf\n\n"
        f"{data}\n"
        "--b\nContent-Type: application/pdf\nContent-Transfer-Encoding: base64\n"
        'Content-Disposition: attachment; filename="=?utf-8?B?UmVjaG51bmcgw4QucGRm?="\n\n'
        f"{data}\n--b--\n"
    ).encode()

    parsed = parse_message(raw)

    assert [a.filename for a in parsed.attachments] == ["Résumé.pdf", "Rechnung Ä.pdf"]


def _forward(inner: bytes | EmailMessage) -> bytes:
    message = EmailMessage()
    message["From"] = "a@clinic.example"
    message["Message-ID"] = "<outer@clinic.example>"
    message.set_content("forwarding this")
    if isinstance(inner, EmailMessage):
        message.add_attachment(inner)
    else:
        message.add_attachment(inner, maintype="message", subtype="rfc822")
    return message.as_bytes()


def test_it_lists_a_forwarded_message_as_an_attachment() -> None:
    inner = EmailMessage()
    inner["Message-ID"] = "<inner@clinic.example>"
    inner.set_content("the original")

    parsed = parse_message(_forward(inner))

    assert parsed.text == "forwarding this"
    [attachment] = parsed.attachments
    assert attachment.content_type == "message/rfc822"
    assert attachment.content is not None
    assert b"Message-ID: <inner@clinic.example>" in attachment.content
    assert "the original" not in parsed.text


def test_it_decodes_a_base64_encoded_forwarded_message() -> None:
    inner = build("the original\n", headers={"Message-ID": "<inner@clinic.example>"})

    parsed = parse_message(_forward(inner))

    [attachment] = parsed.attachments
    assert attachment.content == inner


def test_it_survives_absurdly_deep_nesting() -> None:
    depth = 200
    head = "".join(
        f'--b{i}\nContent-Type: multipart/mixed; boundary="b{i + 1}"\n\n' for i in range(depth)
    )
    tail = "".join(f"--b{i}--\n" for i in reversed(range(depth + 1)))
    raw = (
        'From: a@x.example\nMessage-ID: <deep@x>\nContent-Type: multipart/mixed; boundary="b0"'
        f"\n\n{head}--b{depth}\nContent-Type: text/plain\n\ndeep down\n{tail}"
    ).encode()

    parsed = parse_message(raw)

    assert isinstance(parsed.text, str)
    assert any("nested" in p for p in parsed.problems)


def test_it_keeps_the_headers_when_nesting_defeats_the_mime_parser() -> None:
    depth = 1500
    head = "".join(
        f'--b{i}\nContent-Type: multipart/mixed; boundary="b{i + 1}"\n\n' for i in range(depth)
    )
    raw = (
        "From: a@x.example\nSubject: nested\nMessage-ID: <deeper@x>\n"
        f'Content-Type: multipart/mixed; boundary="b0"\n\n{head}x\n'
    ).encode()

    parsed = parse_message(raw)

    assert not parsed.fatal
    assert parsed.subject == "nested"
    assert parsed.message_id == "deeper@x"
    assert any("MIME structure could not be read" in p for p in parsed.problems)
