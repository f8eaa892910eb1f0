import io

import pytest
from pypdf import PdfReader

from operant.statements.models import Statement
from operant.statements.pdf import statement_pdf_bytes
from operant.statements.services import statement_build

from .conftest import AFTER, NOVEMBER

pytestmark = pytest.mark.django_db


def _text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_pdf_holds_the_figures(acme_november, data_dir):
    statement = statement_build(client=acme_november, month=NOVEMBER, now=AFTER)
    text = _text((data_dir / statement.pdf_path).read_bytes())
    assert "Statement November 2026" in text
    assert "Acme Dental" in text
    assert "used 25 min; remaining 5 min" in text
    assert "OPR-" in text
    assert "66.7%: met 2, breached 1, of 3 first responses" in text
    assert "Booking flow rebuild: 1,200.00 USD" in text
    retainer = acme_november.package.monthly_retainer
    assert f"Total: {retainer + 1200:,.2f} USD" in text


def test_the_pdf_survives_text_beyond_latin1(acme):
    statement = statement_build(client=acme, month=NOVEMBER, now=AFTER)
    figures = {**statement.figures, "client": {**statement.figures["client"], "name": "Café “Ω”"}}
    text = _text(statement_pdf_bytes(figures, organisation="Operant"))
    assert 'Café "?"' in text


def test_a_month_without_activity_says_so(acme):
    statement = statement_build(client=acme, month=NOVEMBER, now=AFTER)
    assert "No time was logged this month." in _text(
        statement_pdf_bytes(Statement.objects.get(pk=statement.pk).figures, organisation="O")
    )
