"""Shared helpers for the mail parsing tests: sample files and small message builders."""

from __future__ import annotations

import re
from email.message import EmailMessage
from pathlib import Path

from operant.mail.parse import ParsedMessage, parse_message

SAMPLES = Path(__file__).parent / "samples"


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def parse_sample(name: str) -> ParsedMessage:
    return parse_message(sample(name))


def build(
    body: str = "Hello, the reminders stopped.\n",
    *,
    headers: dict[str, str] | None = None,
    html: str | None = None,
) -> bytes:
    """A well-formed message with the usual headers; ``headers`` adds or replaces some."""
    message = EmailMessage()
    defaults = {
        "From": "Jane Cooper <jane@acme-dental.example>",
        "To": "support@operant.test",
        "Subject": "Reminders stopped",
        "Date": "Mon, 03 Mar 2025 10:04:05 -0500",
        "Message-ID": "<built-1@acme-dental.example>",
    }
    for name, value in {**defaults, **(headers or {})}.items():
        message[name] = value
    message.set_content(body)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message.as_bytes()


def with_header(raw: bytes, name: str, value: bytes | str | None) -> bytes:
    """``raw`` with header ``name`` removed, and set to ``value`` (raw bytes allowed) if given."""
    head, sep, rest = raw.partition(b"\n\n")
    pattern = rb"(?mi)^" + re.escape(name.encode()) + rb":.*\n(?:[ \t].*\n)*"
    head = re.sub(pattern, b"", head + b"\n").rstrip(b"\n")
    if value is not None:
        data = value.encode("utf-8") if isinstance(value, str) else value
        head = name.encode() + b": " + data + b"\n" + head
    return head + sep + rest
