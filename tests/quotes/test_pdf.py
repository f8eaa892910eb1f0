"""The quote PDF, read back with pypdf: every figure a client is asked to accept is in it."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from operant.quotes.pdf import quote_pdf_bytes, quote_pdf_path
from operant.quotes.services import quote_line_add, quote_send
from tests.quotes.conftest import SENT

pytestmark = pytest.mark.django_db


def _text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_sent_pdf_carries_the_quote(draft, agent) -> None:
    quote_line_add(quote=draft, kind="hours", description="Testing", hours="0.75", rate="100")
    quote_line_add(quote=draft, kind="fixed", description="Number port fee", amount="1049.95")
    quote = quote_send(quote=draft, actor=agent, now=SENT)
    data = quote_pdf_path(quote).read_bytes()
    reader = PdfReader(io.BytesIO(data))
    assert reader.metadata.title == f"Quote {quote.ref}"
    text = _text(data)
    assert f"Quote {quote.ref}" in text
    assert "Client: Acme Dental" in text
    assert "Title: Instagram booking replies" in text
    assert "Quoted separately under clause 02: New feature development." in text
    # The lines: hours, rate and amount of each, in the table.
    assert re.search(r"Build the DM flow\s+2\s+125\.00 USD\s+250\.00 USD", text)
    assert re.search(r"Testing\s+0\.75\s+100\.00 USD\s+75\.00 USD", text)
    assert re.search(r"Number port fee\s+1,049\.95 USD", text)
    assert "Total: 1,374.95 USD" in text
    assert "Valid until: Thursday, December 31, 2026, 11:00 AM EST" in text
    assert "Policy version: 2026-03-13" in text


def test_text_beyond_latin_1_does_not_break_the_pdf(make_draft) -> None:
    from operant.policy.loader import current_policy

    quote = make_draft(title="Café “Zoë” booking — 東京")
    quote_line_add(quote=quote, kind="fixed", description="Setup…", amount="10")
    text = _text(quote_pdf_bytes(quote, list(quote.lines.all()), current_policy()))
    assert 'Title: Café "Zoë" booking - ??' in text
    assert "Setup..." in text


def test_an_overdraft_quote_cites_the_allowance(client_a, agent) -> None:
    from operant.policy.loader import current_policy
    from operant.quotes.services import quote_create

    quote = quote_create(
        client=client_a,
        title="Extra adjustments",
        scope_category="allowance_overdraft",
        created_by=agent,
        now=SENT,
    )
    quote_line_add(quote=quote, kind="hours", description="Copy changes", hours="0.5")
    text = _text(quote_pdf_bytes(quote, list(quote.lines.all()), current_policy()))
    assert "beyond the 30 minutes per month included (clause 01)" in text
    assert "Total: 62.50 USD" in text
