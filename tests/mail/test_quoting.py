"""Finding where quoted history begins, for the usual mail clients and their traps."""

from __future__ import annotations

from operant.mail.parse import parse_message
from operant.mail.quoting import find_quote_start, find_signature_start
from tests.mail.helpers import build, parse_sample


def _quoted_part(text: str) -> str | None:
    start = find_quote_start(text)
    return None if start is None else text[start:]


def test_it_finds_an_outlook_header_block_with_its_rule() -> None:
    parsed = parse_sample("reply_outlook.eml")

    assert parsed.quoted_text_start is not None
    assert parsed.text[: parsed.quoted_text_start].rstrip() == "Thanks, that fixed it.\n\nDan"
    assert parsed.text[parsed.quoted_text_start :].startswith("_____")


def test_it_finds_outlook_original_message_separator() -> None:
    text = "Done, thanks.\n\n-----Original Message-----\nFrom: Support\nhistory"

    assert _quoted_part(text) == "-----Original Message-----\nFrom: Support\nhistory"


def test_it_finds_a_gmail_attribution_split_over_two_lines() -> None:
    parsed = parse_sample("reply_gmail.eml")

    assert parsed.quoted_text_start is not None
    assert parsed.text[: parsed.quoted_text_start].rstrip() == "Looks great, thank you!"
    assert parsed.text[parsed.quoted_text_start :].startswith("On Tue, Mar 11, 2025 at 4:02 PM")


def test_it_finds_an_apple_mail_quote() -> None:
    parsed = parse_sample("reply_apple.eml")

    assert parsed.quoted_text_start is not None
    assert parsed.text[: parsed.quoted_text_start].rstrip() == (
        "Yes, 2 hours before is perfect.\n\nPriya"
    )


def test_it_finds_the_quote_of_an_html_only_gmail_reply() -> None:
    html = (
        '<div dir="ltr">Works now.</div><div class="gmail_quote"><div class="gmail_attr">'
        "On Tue, Mar 11, 2025 at 4:02 PM Support &lt;support@operant.test&gt; wrote:<br></div>"
        '<blockquote class="gmail_quote">Try again?</blockquote></div>'
    )
    raw = (
        build("placeholder")
        .replace(b"text/plain", b"text/html")
        .replace(b"placeholder", html.encode())
    )

    parsed = parse_message(raw)

    assert parsed.quoted_text_start is not None
    assert parsed.text[: parsed.quoted_text_start].rstrip() == "Works now."
    assert parsed.html is not None
    assert 'class="quoted"' in parsed.html


def test_it_finds_a_german_attribution() -> None:
    text = "Danke!\n\nAm 03.03.2025 um 10:04 schrieb Support <support@operant.test>:\n> Frage"

    assert _quoted_part(text) == (
        "Am 03.03.2025 um 10:04 schrieb Support <support@operant.test>:\n> Frage"
    )


def test_it_does_not_fold_interleaved_answers() -> None:
    text = "> Does it work?\nYes.\n> And the reminders?\nAlso yes.\n"

    assert find_quote_start(text) is None


def test_it_does_not_fold_a_bottom_posted_reply() -> None:
    text = "On Mon, 3 Mar 2025, Support wrote:\n> Is it fixed?\n\nYes, it is fixed now.\n"

    assert find_quote_start(text) is None


def test_it_does_not_take_a_sentence_for_an_attribution() -> None:
    text = "On Monday I wrote:\nthe reminders are late.\nPlease check."

    assert find_quote_start(text) is None


def test_it_does_not_fold_a_forwarded_message() -> None:
    text = (
        "See below.\n\n---------- Forwarded message ---------\nFrom: Bank <b@bank.example>\n"
        "Date: Mon, 3 Mar 2025\nSubject: Alert\nTo: me@clinic.example\n\nYour account..."
    )

    assert find_quote_start(text) is None


def test_it_finds_a_trailing_block_of_quoted_lines() -> None:
    text = "Fine by me.\n\n> Shall we move the window to Sunday?\n> Support"

    assert _quoted_part(text) == "> Shall we move the window to Sunday?\n> Support"


def test_it_notes_the_signature_delimiter_before_the_quote() -> None:
    parsed = parse_sample("plain.eml")

    assert parsed.signature_start is not None
    assert parsed.text[parsed.signature_start :].startswith("-- \nJane Cooper")
    assert find_signature_start("no signature here") is None
    assert find_signature_start("a\n\n> q\n-- \nsig", end=3) is None


def test_it_reports_no_quote_for_a_fresh_message() -> None:
    assert parse_sample("plain.eml").quoted_text_start is None
