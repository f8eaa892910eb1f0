"""`operant mail <action>`: inbound mail tools.

Each action is one entry in ``ACTIONS`` (its arguments and its handler), so a new action is a
new entry, not a change to the dispatch.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils import timezone

from operant.core.command import OperantCommand
from operant.core.errors import UserError
from operant.mail.intake import BATCH_SIZE, mail_ingest_many
from operant.mail.models import InboundChannel
from operant.mail.parse import ParsedMessage, parse_message
from operant.mail.parsepool import ParsePool


@dataclass(frozen=True)
class Action:
    help: str
    add_arguments: Callable[[Any], None]
    run: Callable[[OperantCommand, dict[str, Any]], None]


def read_message_file(name: str) -> bytes:
    """The raw bytes of FILE ("-" reads standard input), or a one-line UserError."""
    if name == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(name).read_bytes()
    except FileNotFoundError:
        raise UserError(f"no such file: {name}") from None
    except IsADirectoryError:
        raise UserError(f"{name} is a directory, not a message file") from None
    except OSError as exc:
        raise UserError(f"cannot read {name}: {exc.strerror or exc}") from None


def _summary(parsed: ParsedMessage) -> list[str]:
    def who(address: Any) -> str:
        return f"{address.name} <{address.address}>" if address.name else address.address

    lines = [
        f"From:        {who(parsed.from_) if parsed.from_ else '-'}",
        f"To:          {', '.join(who(a) for a in parsed.to[:3]) or '-'}"
        + (f" (+{len(parsed.to) - 3} more)" if len(parsed.to) > 3 else ""),
        f"Subject:     {parsed.subject or '-'}",
        f"Date:        {parsed.date.isoformat() if parsed.date else '-'}",
        f"Message-ID:  {parsed.message_id or '-'}",
        f"Text:        {len(parsed.text)} characters"
        + (
            f", quoted history from {parsed.quoted_text_start}"
            if parsed.quoted_text_start is not None
            else ""
        ),
        f"HTML:        {'yes (sanitized)' if parsed.html else 'no'}",
    ]
    for attachment in parsed.attachments:
        omitted = " (omitted: over the size limit)" if attachment.omitted else ""
        lines.append(
            f"Attachment:  {attachment.filename or '(unnamed)'} "
            f"{attachment.content_type} {attachment.size} bytes{omitted}"
        )
    if parsed.auto_reply:
        lines.append(f"Auto-reply:  yes ({parsed.auto_reply_reason})")
    if parsed.spam_reason:
        lines.append(f"Spam:        yes ({parsed.spam_reason})")
    if parsed.robot_sender:
        lines.append(f"Robot:       yes ({parsed.robot_sender})")
    if parsed.bounce:
        lines.append(f"Bounce:      yes (original {parsed.bounced_message_id or 'unknown'})")
    if parsed.fatal:
        lines.append("Fatal:       not readable as mail")
    lines.extend(f"Problem:     {problem}" for problem in parsed.problems)
    return lines


def _parse_arguments(parser: Any) -> None:
    parser.add_argument("file", metavar="FILE", help="a message file (.eml); - for stdin")
    parser.add_argument("--json", action="store_true", help="print the parse as one JSON object")


def _parse(command: OperantCommand, options: dict[str, Any]) -> None:
    """Print what the desk reads; an unreadable message is printed too (its problems say
    why), then the command fails, so a script can tell."""
    parsed = parse_message(read_message_file(options["file"]))
    if options["json"]:
        command.print_json(parsed.as_json())
    else:
        for line in _summary(parsed):
            command.stdout.write(line)
    if parsed.fatal:
        why = " ".join("; ".join(parsed.problems).split())  # one line, whatever a problem holds
        raise UserError(f"{options['file']}: not readable as mail ({why})")


def _ingest_arguments(parser: Any) -> None:
    parser.add_argument("files", metavar="FILE", nargs="+", help="message files (.eml)")


def _ingest(command: OperantCommand, options: dict[str, Any]) -> None:
    """Run each file through the whole pipeline as if it had arrived; one line per file.

    A file that cannot be read is reported and the rest still go through; the exit status is
    non-zero when any file could not be read.
    """

    unreadable = 0
    names: list[str] = []
    raws: list[bytes] = []
    for name in options["files"]:
        try:
            raws.append(read_message_file(name))
        except UserError as exc:
            command.stderr.write(f"{name}: {exc}")
            unreadable += 1
            continue
        names.append(name)
    # The batch path: same outcomes as one mail_ingest per file, a fraction of the queries.
    # Parse workers pay off once there is a next batch to parse while one is written.
    workers = None if len(raws) > BATCH_SIZE else 0
    with ParsePool(workers=workers) as pool:
        outcomes = mail_ingest_many(
            raws=raws, channel=InboundChannel.FILE, now=timezone.now(), pool=pool
        )
    for name, outcome in zip(names, outcomes, strict=True):
        where = outcome.ticket_ref or "no ticket"
        command.stdout.write(f"{name}: {where} ({outcome.detail})")
    if unreadable:
        raise UserError(f"{unreadable} of {len(options['files'])} file(s) could not be read")


ACTIONS: dict[str, Action] = {
    "ingest": Action(
        help="run message files through the whole pipeline as if they had arrived",
        add_arguments=_ingest_arguments,
        run=_ingest,
    ),
    "parse": Action(
        help="parse a message file and show what the desk reads from it",
        add_arguments=_parse_arguments,
        run=_parse,
    ),
}


class Command(OperantCommand):
    help = "Inbound mail tools."

    def add_arguments(self, parser: Any) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        for name, action in ACTIONS.items():
            action.add_arguments(actions.add_parser(name, help=action.help))

    def handle(self, *args: Any, **options: Any) -> None:
        ACTIONS[options["action"]].run(self, options)
