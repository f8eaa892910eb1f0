"""bench/_cpython_mail.py: each copy of a message gets a Message-ID of its own, nothing else.

Written with small messages of our own: the benchmark's real-world data stays out of the tests.
"""

from __future__ import annotations

from email import message_from_bytes
from pathlib import Path

from bench._cpython_mail import generate, with_message_id
from bench.mail_realworld import _COPY_ID


def test_the_top_level_message_id_is_replaced_and_a_nested_one_kept() -> None:
    raw = (
        b"From: a@example.com\n"
        b"Message-ID:\n <old@example.com>\n"
        b"Subject: bounce\n"
        b"\n"
        b"Message-ID: <nested@example.com>\n"
    )
    copied = with_message_id(raw, "new@bench.invalid")
    assert message_from_bytes(copied).get_all("Message-ID") == ["<new@bench.invalid>"]
    assert copied.endswith(b"\nMessage-ID: <nested@example.com>\n")
    assert b"old@example.com" not in copied


def test_the_header_goes_after_an_mbox_line_in_the_files_own_line_ending() -> None:
    raw = b"From MAILER-DAEMON Fri Apr 06 16:46:09 2001\r\nSubject: hi\r\n\r\nbody\r\n"
    copied = with_message_id(raw, "new@bench.invalid")
    assert copied.splitlines(keepends=True)[1] == b"Message-ID: <new@bench.invalid>\r\n"
    assert message_from_bytes(copied)["Message-ID"] == "<new@bench.invalid>"


def test_the_set_takes_the_files_in_turn_with_unique_ids_the_check_can_find(tmp_path: Path) -> None:
    (tmp_path / "msg_01.txt").write_bytes(b"Subject: one\n\nfirst\n")
    (tmp_path / "msg_02.txt").write_bytes(b"Message-Id: <same@example.com>\n\nsecond\n")
    (tmp_path / "python.gif").write_bytes(b"GIF89a")  # not a message: left out
    mails = generate(5, tmp_path)
    assert [mail.source for mail in mails] == ["msg_01.txt", "msg_02.txt"] * 2 + ["msg_01.txt"]
    assert len({mail.message_id for mail in mails}) == 5
    for mail in mails:
        assert _COPY_ID.search(mail.raw).group().decode() == mail.message_id
