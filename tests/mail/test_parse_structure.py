"""Right sender and recipients: header blocks cut short, unreadable mailboxes, missing From,
empty text alternatives, attached messages and uuencoded files.

Each case is a small message written here in the class of a fault met in real mail.
"""

from __future__ import annotations

import binascii
from email.message import EmailMessage

import pytest

from operant.mail.headerblock import repair_header_block
from operant.mail.parse import Address, parse_message
from operant.mail.uudecode import take_blocks
from tests.mail.helpers import SAMPLES, build, with_header

PDF = b"%PDF-1.4 quarterly figures\n" * 4
PDF_BASE64 = binascii.b2a_base64(PDF).decode()


def _folded_badly(newline: str = "\n") -> bytes:
    """A multipart message whose To: list was wrapped onto a line without indentation."""
    lines = [
        "Return-Path: <nina@clinic.example>",
        "Message-ID: <fold-1@clinic.example>",
        "Date: Mon, 03 Mar 2025 10:04:05 -0500",
        "To: Support <support@operant.test>, Front Desk <desk@clinic.example>,",
        "Owner <owner@clinic.example>",
        "From: Nina Park <nina@clinic.example>",
        "Subject: Reminder texts go out twice",
        "MIME-Version: 1.0",
        'Content-Type: multipart/mixed; boundary="b-1"',
        "",
        "--b-1",
        "Content-Type: text/plain; charset=utf-8",
        "",
        "Since Monday every patient gets two reminders.",
        "--b-1",
        'Content-Type: application/pdf; name="figures.pdf"',
        "Content-Transfer-Encoding: base64",
        "",
        PDF_BASE64.rstrip("\n"),
        "--b-1--",
        "",
    ]
    return newline.join(lines).encode()


# --- header blocks cut short ---------------------------------------------------------------


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_an_unindented_fold_in_to_does_not_end_the_headers(newline: str) -> None:
    parsed = parse_message(_folded_badly(newline))

    assert parsed.from_ == Address("nina@clinic.example", "Nina Park")
    assert parsed.subject == "Reminder texts go out twice"
    assert [a.address for a in parsed.to] == [
        "support@operant.test",
        "desk@clinic.example",
        "owner@clinic.example",
    ]
    assert parsed.text == "Since Monday every patient gets two reminders."
    [attachment] = parsed.attachments
    assert (attachment.filename, attachment.content) == ("figures.pdf", PDF)
    assert "To header: line without indentation read as a continuation" in parsed.problems
    assert "header block not ended by a blank line" not in parsed.problems


def test_an_unindented_fold_in_the_subject_joins_the_subject() -> None:
    raw = (
        b"From: Nina Park <nina@clinic.example>\n"
        b"Subject: Re: the reminder texts that go out twice since\n"
        b"the update on Monday\n"
        b"To: support@operant.test\n"
        b"Message-ID: <fold-2@clinic.example>\n"
        b"\n"
        b"Still happening.\n"
    )

    parsed = parse_message(raw)

    assert parsed.subject == "Re: the reminder texts that go out twice since the update on Monday"
    assert parsed.to == [Address("support@operant.test", "")]
    assert parsed.text == "Still happening."
    assert "Subject header: line without indentation read as a continuation" in parsed.problems


def test_a_mbox_envelope_line_and_a_broken_fold_are_both_handled() -> None:
    raw = b"From nina@clinic.example Mon Mar  3 10:04:05 2025\n" + _folded_badly()

    parsed = parse_message(raw)

    assert parsed.from_ == Address("nina@clinic.example", "Nina Park")
    assert len(parsed.to) == 3


@pytest.mark.parametrize(
    "lead",
    [
        b"---- Original email message ----\n",
        b"Forwarded message:\n\n",
        b"-----Original Message-----\r\n",
    ],
)
def test_a_text_line_above_the_headers_is_skipped(lead: bytes) -> None:
    parsed = parse_message(lead + build())

    assert not parsed.fatal
    assert parsed.from_ == Address("jane@acme-dental.example", "Jane Cooper")
    assert parsed.subject == "Reminders stopped"
    assert parsed.text == "Hello, the reminders stopped."
    assert any(p.startswith("text before the headers skipped: ") for p in parsed.problems)


def test_text_that_is_not_followed_by_headers_is_still_not_mail() -> None:
    parsed = parse_message(b"Dear support,\nSubject: my problem\nplease call me.\n")

    assert parsed.fatal


def test_a_body_without_a_blank_line_above_it_stays_the_body() -> None:
    raw = (
        b"From: jane@acme-dental.example\n"
        b"Subject: hi\n"
        b"Message-ID: <nosep@acme-dental.example>\n"
        b"Hello there,\n"
        b"Note: call me back\n"
    )

    parsed = parse_message(raw)

    assert parsed.subject == "hi"
    assert parsed.text == "Hello there,\nNote: call me back"
    assert "header block not ended by a blank line" in parsed.problems


def test_a_second_message_pasted_below_is_not_joined_to_the_first() -> None:
    # A forwarded message pasted straight under the headers: its From is not this one's.
    raw = (
        b"From: jane@acme-dental.example\n"
        b"Subject: Fwd: invoice\n"
        b"Message-ID: <paste@acme-dental.example>\n"
        b"See below\n"
        b"From: billing@vendor.example\n"
        b"Subject: invoice\n"
        b"\n"
        b"Your invoice.\n"
    )

    parsed = parse_message(raw)

    assert parsed.from_ == Address("jane@acme-dental.example", "")
    assert parsed.subject == "Fwd: invoice"
    assert parsed.text.startswith("See below\nFrom: billing@vendor.example")


def test_well_formed_samples_need_no_header_repair() -> None:
    for path in sorted(SAMPLES.glob("*.eml")):
        assert repair_header_block(path.read_bytes()) is None, path.name


# --- mailboxes the stdlib cannot read ------------------------------------------------------


def test_a_trailing_dot_after_the_domain_is_dropped() -> None:
    raw = with_header(build(), "From", '"Dana.Ro" <Dana.Rowe@mail.example.>')

    parsed = parse_message(raw)

    assert parsed.from_ == Address("Dana.Rowe@mail.example", "Dana.Ro")
    assert any("trailing dot dropped" in p for p in parsed.problems)


def test_brackets_in_the_display_name_keep_the_address() -> None:
    raw = with_header(build(), "From", "Pia Lenz | [acme.example] <pia@acme.example>")

    parsed = parse_message(raw)

    assert parsed.from_ == Address("pia@acme.example", "Pia Lenz | [acme.example]")
    assert "From header: unreadable mailbox; its address pia@acme.example kept" in parsed.problems


def test_an_unreadable_mailbox_in_a_list_keeps_its_neighbours() -> None:
    value = 'Ann [IT] <ann@clinic.example>, "Lee, Bo" <bo@clinic.example>, cy@clinic.example.'
    raw = with_header(build(), "Cc", value)

    parsed = parse_message(raw)

    assert parsed.cc == [
        Address("ann@clinic.example", "Ann [IT]"),
        Address("bo@clinic.example", "Lee, Bo"),
        Address("cy@clinic.example", ""),
    ]


def test_a_mailbox_the_stdlib_cannot_read_even_alone_is_dropped_not_the_list() -> None:
    raw = with_header(build(), "To", "jane@, Ann [IT] <ann@clinic.example>")

    parsed = parse_message(raw)

    assert parsed.to == [Address("ann@clinic.example", "Ann [IT]")]
    assert "To header: unreadable mailbox dropped" in parsed.problems


def test_an_address_inside_a_quoted_name_is_not_taken() -> None:
    raw = with_header(build(), "From", '"Help <help@x.example>" [y] <real@y.example>')

    parsed = parse_message(raw)

    assert parsed.from_ is not None
    assert parsed.from_.address == "real@y.example"


@pytest.mark.parametrize(
    ("headers", "expected", "problem"),
    [
        ({"Reply-To": "Ops <ops@clinic.example>"}, "ops@clinic.example", "missing From; "
         "sender taken from Reply-To"),
        ({"Sender": "desk@clinic.example"}, "desk@clinic.example", "missing From; sender taken "
         "from Sender"),
        ({"Return-Path": "<rp@clinic.example>"}, "rp@clinic.example", "missing From; sender "
         "taken from Return-Path"),
        ({"From": '".." <>', "Sender": "desk@clinic.example", "Return-Path": "<rp@x.example>"},
         "desk@clinic.example", "invalid From; sender taken from Sender"),
    ],
)  # fmt: skip
def test_without_a_from_the_sender_comes_from_the_next_header(
    headers: dict[str, str], expected: str, problem: str
) -> None:
    raw = with_header(build(), "From", None)
    for name, value in headers.items():
        raw = with_header(raw, name, value)

    parsed = parse_message(raw)

    assert parsed.from_ is not None
    assert parsed.from_.address == expected
    assert problem in parsed.problems


def test_an_empty_return_path_is_no_sender() -> None:
    raw = with_header(with_header(build(), "From", '".." <>'), "Return-Path", "<>")

    parsed = parse_message(raw)

    assert parsed.from_ is None
    assert "invalid From" in parsed.problems


# --- text from the HTML when the plain alternative is empty --------------------------------


@pytest.mark.parametrize("plain", ["", "\n", "  \r\n\t\n"])
def test_an_empty_plain_alternative_gives_way_to_the_html(plain: str) -> None:
    message = EmailMessage()
    message["From"] = "jane@acme-dental.example"
    message["Message-ID"] = "<alt@acme-dental.example>"
    message.set_content(plain)
    message.add_alternative("<p>The reminders <b>stopped</b> again.</p>", subtype="html")

    parsed = parse_message(message.as_bytes())

    assert parsed.text == "The reminders stopped again."
    assert "text/plain part empty; text taken from the HTML" in parsed.problems


def test_a_plain_alternative_with_words_is_still_preferred() -> None:
    parsed = parse_message(build("Plain words.\n", html="<p>Other words</p>"))

    assert parsed.text == "Plain words."


# --- attached messages and uuencoded files -------------------------------------------------


def _forwarding(inner: EmailMessage, *, filename: str | None = None) -> bytes:
    message = EmailMessage()
    message["From"] = "jane@acme-dental.example"
    message["Message-ID"] = "<fwd@acme-dental.example>"
    message.set_content("forwarding this")
    message.add_attachment(inner)
    if filename is not None:
        attached = message.get_payload()[1]
        attached.replace_header("Content-Disposition", f'attachment; filename="{filename}"')
    return message.as_bytes()


@pytest.mark.parametrize(
    ("subject", "name"),
    [
        ("Re: invoice", "Re: invoice.eml"),
        ("Invoice 3/2025 \\ March", "Invoice 3-2025 - March.eml"),
        ("=?utf-8?q?R=C3=BCckruf?=", "Rückruf.eml"),
        ("Line\tbreak   and  tabs", "Line break and tabs.eml"),
    ],
)
def test_an_attached_message_is_named_after_its_subject(subject: str, name: str) -> None:
    inner = EmailMessage()
    inner["From"] = "billing@vendor.example"
    inner["Subject"] = subject
    inner.set_content("the original")

    parsed = parse_message(_forwarding(inner))

    [attachment] = parsed.attachments
    assert attachment.content_type == "message/rfc822"
    assert attachment.filename == name


def test_an_attached_message_keeps_its_own_file_name_and_stays_unnamed_without_subject() -> None:
    named = EmailMessage()
    named["Subject"] = "Re: invoice"
    named.set_content("the original")
    unnamed = EmailMessage()
    unnamed.set_content("no subject")

    [with_name] = parse_message(_forwarding(named, filename="original.eml")).attachments
    [without] = parse_message(_forwarding(unnamed)).attachments

    assert with_name.filename == "original.eml"
    assert without.filename is None


def _uu_lines(data: bytes) -> str:
    return "".join(binascii.b2a_uu(data[i : i + 45]).decode() for i in range(0, len(data), 45))


DATA = bytes(range(256)) * 2


def test_a_uuencoded_block_in_the_text_becomes_an_attachment() -> None:
    body = f"Hi,\nthe export is attached.\n\nbegin 644 export.zip\n{_uu_lines(DATA)}`\nend\nBye\n"

    parsed = parse_message(build(body))

    assert parsed.text.startswith("Hi,\nthe export is attached.")
    assert parsed.text.endswith("Bye")
    assert "begin 644" not in parsed.text
    [attachment] = parsed.attachments
    assert (attachment.filename, attachment.content_type) == ("export.zip", "application/zip")
    assert attachment.content == DATA
    assert "uuencoded file 'export.zip' in the text taken out as an attachment" in parsed.problems


@pytest.mark.parametrize("encoding", ["x-uuencode", "uuencode", "x-uue", "UUE"])
def test_a_uuencoded_part_is_decoded_and_named_from_its_begin_line(encoding: str) -> None:
    raw = (
        "From: jane@acme-dental.example\nMessage-ID: <uu@acme-dental.example>\n"
        'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="u"\n\n'
        "--u\nContent-Type: text/plain\n\nsee the file\n"
        f"--u\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: {encoding}\n\n"
        f"begin 600 scan.pdf\n{_uu_lines(DATA)}`\nend\n--u--\n"
    ).encode()

    parsed = parse_message(raw)

    assert parsed.text == "see the file"
    [attachment] = parsed.attachments
    assert (attachment.filename, attachment.content) == ("scan.pdf", DATA)


def test_a_uuencoded_part_without_its_end_line_is_kept_as_sent() -> None:
    raw = with_header(build("begin 644 cut.bin\nM86)C\n"), "Content-Transfer-Encoding", "x-uue")

    parsed = parse_message(raw)

    assert "uuencoded part without a complete begin/end block; kept as sent" in parsed.problems
    assert "begin 644 cut.bin" in parsed.text


def test_begin_lines_that_start_no_uuencoding_stay_text() -> None:
    text = "begin 644 at noon\nwe meet in room 4\nend\nbegin 600 x\n"

    assert take_blocks(text) == (text, [])


def test_a_uuencoded_line_written_past_its_length_is_read_to_its_length() -> None:
    lines = _uu_lines(DATA).splitlines(keepends=True)
    lines[0] = lines[0].rstrip("\n") + "XYZ\n"  # trailing garbage after the 45 bytes
    text = f"begin 644 part.bin\n{''.join(lines)}end\n"

    rest, [found] = take_blocks(text)

    assert rest == ""
    assert found.data == DATA
