"""The django-helpdesk side of bench/mail_pipeline.py: its own email import over the same messages.

Run by bench/mail_pipeline.py with the python of the peer venv (bench/.venv-peers), never with
Operant's: ``python bench/peers/helpdesk_import.py WORKDIR``. WORKDIR holds ``manifest.json``
and the ``.eml`` files it names; this script makes ``WORKDIR/peer`` for its SQLite database and
media, and prints one JSON object on stdout.

Per message it does exactly what helpdesk's own importer does (``helpdesk.email.process_queue``
for a local mailbox, ``imap_sync`` for IMAP): decode the bytes with
``django.utils.encoding.force_str(raw, errors="replace")`` and pass the text to
``helpdesk.email.extract_email_metadata(message=..., queue=..., logger=...)``, which parses it
(``email.message_from_string`` with ``policy.default``), finds the ticket by the ``[OPR-n]``
slug in the subject or by In-Reply-To, stores the ticket or follow-up and the attachments,
and renders and "sends" its notifications (Django's dummy email backend: built, not sent).
Reading the files from disk happens before the clock starts, as on our side.

The queue's slug is ``OPR``, so helpdesk recognises the same ``[OPR-n]`` subject references as
Operant does. Its logger is set up as ``process_email`` does for a queue whose logging type is
"none": no handlers, no propagation.
"""

from __future__ import annotations

import gc
import json
import logging
import os
import sys
import time
from pathlib import Path


def main(workdir: Path) -> dict[str, object]:
    peer_dir = workdir / "peer"
    peer_dir.mkdir(parents=True, exist_ok=True)
    os.environ["HELPDESK_BENCH_DIR"] = str(peer_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk_settings")

    import django

    django.setup()

    from django.core.management import call_command
    from django.utils.encoding import force_str

    call_command("migrate", verbosity=0)

    import helpdesk
    from helpdesk.email import extract_email_metadata
    from helpdesk.exceptions import DeleteIgnoredTicketException, IgnoreTicketException
    from helpdesk.models import FollowUp, FollowUpAttachment, Queue, Ticket

    queue = Queue.objects.create(
        title="Operant Support",
        slug="OPR",
        email_address="support@operantco.com",
        allow_email_submission=True,
        email_box_type="local",
        email_box_local_dir=str(workdir / "eml"),
    )
    logger = logging.getLogger("django.helpdesk.queue." + queue.slug)
    logger.handlers = []
    logger.propagate = False

    manifest = json.loads((workdir / "manifest.json").read_text())
    raws = [(workdir / "eml" / item["file"]).read_bytes() for item in manifest["messages"]]

    # Django's template engine is started before the clock, as on our side (where the intake
    # commands' pipeline_warm_up does it); helpdesk renders its notifications with it.
    from django.template import engines

    for engine in engines.all():
        engine.from_string("{{ warm }}").render({"warm": "up"})

    ignored = errors = 0
    error_samples: list[str] = []
    began = time.perf_counter()
    for raw in raws:
        full_message = force_str(raw, errors="replace")
        try:
            extract_email_metadata(message=full_message, queue=queue, logger=logger)
        except (IgnoreTicketException, DeleteIgnoredTicketException):
            ignored += 1
        except Exception as exc:  # noqa: BLE001 - counted and reported, as its importer logs them
            errors += 1
            if len(error_samples) < 5:
                error_samples.append(f"{type(exc).__name__}: {exc}")
    seconds = time.perf_counter() - began
    gc.collect()

    return {
        "name": "django-helpdesk",
        "version": getattr(helpdesk, "__version__", None) or _version("django-helpdesk"),
        "django": django.get_version(),
        "function": "helpdesk.email.extract_email_metadata",
        "messages": len(raws),
        "seconds": seconds,
        "rate": len(raws) / seconds if seconds else None,
        "ignored": ignored,
        "errors": errors,
        "error_samples": error_samples,
        "tickets": Ticket.objects.count(),
        "followups": FollowUp.objects.count(),
        "attachments": FollowUpAttachment.objects.count(),
    }


def _version(distribution: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(distribution)
    except PackageNotFoundError:
        return None


if __name__ == "__main__":
    result = main(Path(sys.argv[1]))
    print(json.dumps(result))
