"""Statement workflows: build a client's month once, write its files, email it once.

The worker, the CLI and the pages all call these (guide 4.2).
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.template.loader import render_to_string

from operant.allowance.ledger import month_of
from operant.allowance.services import allowance_month_close
from operant.notify.models import Notification
from operant.notify.services import notification_queue
from operant.policy.loader import current_policy
from operant.statements import files
from operant.statements.errors import StatementError
from operant.statements.export import statement_csv_bytes
from operant.statements.figures import statement_figures
from operant.statements.models import Statement
from operant.statements.pdf import statement_pdf_bytes
from operant.statements.wording import month_title

if TYPE_CHECKING:
    from operant.accounts.models import Client

log = logging.getLogger(__name__)
PDF_TYPE = "application/pdf"
CSV_TYPE = "text/csv"


def statement_dedupe_key(client: Client, month: dt.date) -> str:
    return f"statement:{client.pk}:{month:%Y-%m}"


def statement_recipients(client: Client) -> list[str]:
    """The client's billing address; failing that, its contacts marked as billing contacts."""
    if client.billing_email:
        return [client.billing_email]
    return list(
        client.contacts.filter(is_billing=True).order_by("pk").values_list("email", flat=True)
    )


def statement_files_write(*, statement: Statement) -> Statement:
    """(Re)write the PDF and CSV from the frozen figures: the same figures give the same
    files, so a lost data directory is repaired by calling this again."""
    slug, key = statement.client.slug, statement.month_key
    pdf_name = files.relative_name(slug, key, "pdf")
    csv_name = files.relative_name(slug, key, "csv")
    organisation = current_policy().meta.organisation
    files.write_atomically(
        pdf_name, statement_pdf_bytes(statement.figures, organisation=organisation)
    )
    files.write_atomically(csv_name, statement_csv_bytes(statement.figures))
    if (statement.pdf_path, statement.csv_path) != (pdf_name, csv_name):
        statement.pdf_path, statement.csv_path = pdf_name, csv_name
        statement.save(update_fields=["pdf_path", "csv_path"])
    return statement


def statement_file(*, statement: Statement, kind: str) -> Path:
    """The statement's PDF or CSV on disk, rewritten first if it has gone missing."""
    relative = statement.pdf_path if kind == "pdf" else statement.csv_path
    if not relative or not files.absolute(relative).exists():
        statement_files_write(statement=statement)
        relative = statement.pdf_path if kind == "pdf" else statement.csv_path
    return files.absolute(relative)


def statement_build(*, client: Client, month: dt.date, now: dt.datetime) -> Statement:
    """The statement of ``month`` (any day of it) for ``client``; built once, then returned.

    1. An existing statement is returned as it is: its figures were frozen when it was built.
    2. Refuse a month that has not ended on the client's calendar.
    3. Close the allowance month (idempotent), so the statement prints the final figures.
    4. Compute the figures and insert the row; a concurrent builder that inserted first wins
       and its row is returned.
    5. Write the PDF and CSV.
    """
    month = month.replace(day=1)
    existing = Statement.objects.select_related("client").filter(client=client, month=month)
    statement = existing.first()
    if statement is None:
        if month >= month_of(client=client, when=now):
            raise StatementError(
                f"{month:%B %Y} has not ended for {client.name} ({client.timezone}); "
                "a statement is built once the month is over"
            )
        balance = allowance_month_close(client=client, month=month, now=now)
        figures = statement_figures(client=client, month=month, balance=balance)
        try:
            with transaction.atomic():
                statement = Statement.objects.create(
                    client=client, month=month, figures=figures, generated_at=now
                )
        except IntegrityError:
            statement = existing.get()
    if not statement.pdf_path or not statement.csv_path:
        statement_files_write(statement=statement)
    return statement


def statement_email(*, statement: Statement, now: dt.datetime) -> Notification | None:
    """Queue the statement to the client's billing contact with the PDF attached, once per
    client and month (the dedupe key); None when the client has no billing address."""
    client = statement.client
    if statement.emailed_id is not None:
        return statement.emailed
    recipients = statement_recipients(client)
    if not recipients:
        log.warning("no billing address for %s: statement %s not emailed", client.slug, statement)
        return None
    pdf = statement_file(statement=statement, kind="pdf")
    context = {
        "statement": statement,
        "figures": statement.figures,
        "month_title": month_title(statement.figures),
    }
    key = statement_dedupe_key(client, statement.month)
    notification = notification_queue(
        kind="statements.statement",
        to=recipients,
        subject=f"Your statement for {context['month_title']}: {client.name}",
        body_text=render_to_string("statements/email.txt", context),
        now=now,
        dedupe_key=key,
        attachments=[{"filename": pdf.name, "content_type": PDF_TYPE, "path": str(pdf)}],
    )
    if notification is None:
        # Queued by an earlier run that stopped before linking it: link that one.
        notification = Notification.objects.get(dedupe_key=key)
    Statement.objects.filter(pk=statement.pk).update(emailed=notification)
    statement.emailed = notification
    return notification
