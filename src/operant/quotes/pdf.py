"""The quote as a PDF (fpdf2), written under ``DATA_DIR/quotes`` for the email to attach."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from fpdf import FPDF
from fpdf.fonts import FontFace

from operant.quotes.events import when
from operant.quotes.models import LineKind, Quote, QuoteLine, lines_total
from operant.quotes.wording import hours_text, money, scope_statement

if TYPE_CHECKING:
    from operant.policy.schema import Policy

# The PDF core fonts know Latin-1 only; typographic punctuation is mapped to its plain form
# and anything else beyond Latin-1 becomes "?" rather than failing the send.
_PLAIN = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"}
)
_PLAIN[ord("\u2026")] = "..."
_PLAIN[ord("\u00d7")] = "x"


def _latin1(text: str) -> str:
    return text.translate(_PLAIN).encode("latin-1", "replace").decode("latin-1")


def quotes_dir() -> Path:
    return Path(settings.DATA_DIR) / "quotes"


def quote_pdf_path(quote: Quote) -> Path:
    return quotes_dir() / quote.pdf_name()


def quote_has_pdf(quote: Quote) -> bool:
    """Whether the client was sent a PDF of this quote that is still on disk."""
    return quote.revision > 0 and quote_pdf_path(quote).exists()


def quote_pdf_bytes(quote: Quote, lines: Sequence[QuoteLine], policy: Policy) -> bytes:
    """1. Header: reference, client, title. 2. Why it is quoted (clause and category).
    3. The line items, then the total. 4. Validity and the policy version."""
    pdf = FPDF(format="A4")
    pdf.set_title(_latin1(f"Quote {quote.ref}"))
    pdf.set_author(_latin1(policy.meta.organisation))
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_page()
    width = pdf.epw

    def line(text: str, *, size: int = 10, style: str = "", gap: float = 6) -> None:
        pdf.set_font("Helvetica", style, size)
        pdf.multi_cell(width, gap, _latin1(text), new_x="LMARGIN", new_y="NEXT")

    revision = f" (revision {quote.revision})" if quote.revision > 1 else ""
    line(f"Quote {quote.ref}{revision}", size=18, style="B", gap=10)
    line(f"{policy.meta.organisation} - {policy.meta.title}", size=9)
    pdf.ln(3)
    line(f"Client: {quote.client.name}")
    if quote.ticket_id is not None:
        line(f"Request: {quote.ticket.ref} {quote.ticket.subject}")
    line(f"Title: {quote.title}", style="B")
    line(scope_statement(quote, policy))
    pdf.ln(3)

    pdf.set_font("Helvetica", "", 10)
    heading = FontFace(emphasis="BOLD", fill_color=(230, 233, 240))
    with pdf.table(
        col_widths=(50, 11, 17, 22),
        text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT"),
        headings_style=heading,
        width=width,
    ) as table:
        table.row(["Description", "Hours", "Rate", "Amount"])
        for item in lines:
            hourly = item.kind == LineKind.HOURS and item.rate is not None
            table.row(
                [
                    _latin1(item.description),
                    hours_text(item.hours),
                    money(item.rate, quote.currency) if hourly and item.rate is not None else "",
                    money(item.amount, quote.currency),
                ]
            )
    pdf.ln(2)
    line(f"Total: {money(lines_total(lines), quote.currency)}", size=12, style="B", gap=8)
    pdf.ln(2)
    line(f"Valid until: {when(quote, quote.valid_until)}")
    version = quote.policy_version.version if quote.policy_version else policy.version
    line(f"Policy version: {version}")
    line(
        "Accept or decline with the links in the email that came with this quote, or reply "
        "to that email. Work starts once the quote is accepted.",
        size=9,
    )
    return bytes(pdf.output())


def quote_pdf_write(quote: Quote, lines: Sequence[QuoteLine], policy: Policy) -> Path:
    """Write the current revision's PDF; written to a temporary name and renamed, so the worker
    attaching it never reads half a file."""
    path = quote_pdf_path(quote)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = quote_pdf_bytes(quote, lines, policy)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".quote-", suffix=".pdf")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
