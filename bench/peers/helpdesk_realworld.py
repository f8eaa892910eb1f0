"""The django-helpdesk side of bench/mail_realworld.py: before and after its importer runs.

Run with the python of the peer venv (bench/.venv-peers), never with Operant's, with
``HELPDESK_BENCH_DIR`` naming the run's directory for its SQLite database and media:

- ``python bench/peers/helpdesk_realworld.py setup INBOX``: migrate a fresh database and create
  the queue whose local mailbox directory is INBOX (helpdesk's ``local`` mailbox type: every
  file in the directory is one message; a message it imports is deleted from it). This is done
  before the clock starts, as a deployed helpdesk has its database and queue before mail comes.
- then the timed part, run by the benchmark itself, either helpdesk's own importer as shipped,
  the ``get_email`` management command (``python -m django get_email``) as cron runs it, or
- ``python bench/peers/helpdesk_realworld.py drain INBOX``: the same importer with one change.
  ``get_email``'s loop over a local mailbox (``helpdesk.email.process_queue``) lets any
  exception but "ignore this message" end the whole queue's run, and the file that raised stays
  first in the directory, so every later run stops at it again: one unreadable message stops
  all mail behind it. ``drain`` runs the same loop (list the directory; read each file as text,
  ``force_str(..., errors="replace")``; ``extract_email_metadata``; delete the file once it
  made a ticket or follow-up) with a message that raises counted and skipped, so its rate is
  the importer's rate over the whole set. It prints one JSON object (errors, ignored).
- ``python bench/peers/helpdesk_realworld.py count MANIFEST INBOX``: what the importer made of
  the messages, as one JSON object on stdout.

A message is *lost* when its Message-ID (unique per message in the set) is on no follow-up:
helpdesk records every message it imports as exactly one follow-up carrying the message's
Message-ID (the one that opens a ticket, or the one added to a ticket), so a message without one
became neither a ticket nor a reply. The files the importer left in INBOX are counted too: it
deletes a file once it made a ticket or follow-up of it, so they should be the lost ones.

The queue is set up as in bench/peers/helpdesk_import.py (slug ``OPR``, logging type "none").
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections import Counter
from pathlib import Path

from helpdesk_import import _version  # this directory is on the path, as for the settings


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk_settings")
    import django

    django.setup()


def setup(inbox: Path) -> dict[str, object]:
    _django()
    from django.core.management import call_command
    from helpdesk.models import Queue

    call_command("migrate", verbosity=0)
    Queue.objects.create(
        title="Operant Support",
        slug="OPR",
        email_address="support@operantco.com",
        allow_email_submission=True,
        email_box_type="local",
        email_box_local_dir=str(inbox),
        logging_type="none",
    )
    return {"queue": "OPR", "inbox": str(inbox)}


def drain(inbox: Path) -> dict[str, object]:
    _django()
    from django.utils.encoding import force_str
    from helpdesk.email import extract_email_metadata
    from helpdesk.exceptions import DeleteIgnoredTicketException, IgnoreTicketException
    from helpdesk.models import Queue

    queue = Queue.objects.get(slug="OPR")
    # As helpdesk.email.process_email sets up a queue whose logging type is "none".
    logger = logging.getLogger("django.helpdesk.queue." + queue.slug)
    logger.handlers = []
    logger.propagate = False
    errors: Counter[str] = Counter()
    ignored = 0
    for name in os.listdir(inbox):
        path = inbox / name
        if not path.is_file():
            continue
        try:
            with open(path) as file:  # text mode, as process_queue opens it
                full_message = force_str(file.read(), errors="replace")
            ticket = extract_email_metadata(message=full_message, queue=queue, logger=logger)
        except IgnoreTicketException:
            ignored += 1
        except DeleteIgnoredTicketException:
            ignored += 1
            path.unlink()
        except Exception as exc:  # noqa: BLE001 - the one change: counted, then the next file
            errors[f"{type(exc).__name__}: {exc}"[:160]] += 1
        else:
            if ticket:
                path.unlink()
    return {"errors": sum(errors.values()), "error_kinds": dict(errors), "ignored": ignored}


def count(manifest_path: Path, inbox: Path) -> dict[str, object]:
    _django()
    import django
    import helpdesk
    from helpdesk.models import FollowUp, FollowUpAttachment, Ticket

    items = json.loads(manifest_path.read_text())["messages"]
    recorded = {
        (message_id or "").strip().strip("<>")
        for message_id in FollowUp.objects.values_list("message_id", flat=True)
    }
    lost = Counter(item["source"] for item in items if item["message_id"] not in recorded)
    return {
        "name": "django-helpdesk",
        "version": getattr(helpdesk, "__version__", None) or _version("django-helpdesk"),
        "django": django.get_version(),
        "tickets": Ticket.objects.count(),
        "followups": FollowUp.objects.count(),
        "attachments": FollowUpAttachment.objects.count(),
        "lost": sum(lost.values()),
        "lost_by_source": dict(sorted(lost.items())),
        "left_in_inbox": sum(1 for entry in inbox.iterdir() if entry.is_file()),
    }


if __name__ == "__main__":
    if sys.argv[1] == "setup":
        print(json.dumps(setup(Path(sys.argv[2]))))
    elif sys.argv[1] == "drain":
        print(json.dumps(drain(Path(sys.argv[2]))))
    elif sys.argv[1] == "count":
        print(json.dumps(count(Path(sys.argv[2]), Path(sys.argv[3]))))
    else:
        sys.exit(
            f"unknown action {sys.argv[1]!r}: setup INBOX | drain INBOX | count MANIFEST INBOX"
        )
