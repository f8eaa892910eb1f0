"""The statement as a PDF (fpdf2), drawn from the frozen figures only."""

from __future__ import annotations

from typing import Any

from fpdf import FPDF

from operant.statements.wording import excluded_text, money_text, month_title, percent_text

# The core PDF fonts know Latin-1 only: typographic punctuation becomes its plain form and
# anything else beyond Latin-1 a "?", rather than failing the monthly run over one character.
_PLAIN = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": "...",
    }
)


def _latin1(text: str) -> str:
    return text.translate(_PLAIN).encode("latin-1", "replace").decode("latin-1")


class _Writer:
    def __init__(self, title: str, organisation: str) -> None:
        self.pdf = FPDF(format="A4")
        self.pdf.set_title(_latin1(title))
        self.pdf.set_author(_latin1(organisation))
        self.pdf.set_auto_page_break(auto=True, margin=18)
        self.pdf.add_page()

    def line(self, text: str, *, size: int = 10, style: str = "", gap: float = 6) -> None:
        self.pdf.set_font("Helvetica", style, size)
        self.pdf.multi_cell(self.pdf.epw, gap, _latin1(text), new_x="LMARGIN", new_y="NEXT")

    def heading(self, text: str) -> None:
        self.pdf.ln(3)
        self.line(text, size=13, style="B", gap=8)

    def row(self, cells: list[str], widths: list[float], *, style: str = "") -> None:
        self.pdf.set_font("Helvetica", style, 9)
        for text, width in zip(cells, widths, strict=True):
            self.pdf.cell(self.pdf.epw * width, 6, _latin1(text)[:90])
        self.pdf.ln(6)


def statement_pdf_bytes(figures: dict[str, Any], *, organisation: str) -> bytes:
    """1. Header. 2. Allowance and the entries behind it. 3. Tickets and attainment.
    4. Quotes. 5. Charges."""
    client = figures["client"]
    title = f"Statement {month_title(figures)}"
    out = _Writer(f"{title} - {client['name']}", organisation)
    out.line(title, size=18, style="B", gap=10)
    out.line(f"{client['name']} ({client['timezone']})", size=11)
    out.line(f"From {organisation}", size=9)

    allowance = figures["allowance"]
    out.heading("Minor-adjustment allowance")
    out.line(
        f"Allowance {allowance['allowance_minutes']} min"
        f" (carried over {allowance['carried_minutes']} min);"
        f" used {allowance['used_minutes']} min; remaining {allowance['remaining_minutes']} min"
    )
    if figures["entries"]:
        widths = [0.16, 0.14, 0.46, 0.14, 0.10]
        out.row(["Date", "Ticket", "Subject", "Kind", "Minutes"], widths, style="B")
        for entry in figures["entries"]:
            out.row(
                [
                    entry["date"],
                    entry["ticket"],
                    entry["subject"],
                    entry["kind"],
                    str(entry["minutes"]),
                ],
                widths,
            )
    else:
        out.line("No time was logged this month.")

    out.heading("Tickets received")
    for item in figures["tickets"]["by_class"]:
        out.line(f"{item['label']}: {item['count']}")
    attainment = figures["attainment"]
    out.heading("Response-target attainment")
    out.line(
        f"{percent_text(attainment['percent'])}: met {attainment['met']}, breached "
        f"{attainment['breached']}, of {attainment['total']} first responses"
    )
    for item in attainment.get("excluded", ()):
        out.line(f"Clock paused: {excluded_text(item)}")

    out.heading("Quotes")
    for state, label in (("sent", "Sent"), ("accepted", "Accepted")):
        quotes = figures["quotes"][state]
        out.line(f"{label}: {len(quotes)}", style="B")
        for quote in quotes:
            out.line(
                f"{quote['ref']} {quote['title']}: {money_text(quote['total'], quote['currency'])}"
            )

    out.heading("Charges")
    for line in figures["charges"]["lines"]:
        out.line(f"{line['description']}: {money_text(line['total'], line['currency'])}")
    for currency, amount in figures["charges"]["totals"].items():
        out.line(f"Total: {money_text(amount, currency)}", style="B")
    return bytes(out.pdf.output())
