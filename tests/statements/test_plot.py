import xml.etree.ElementTree as ET

import pytest

from operant.statements.plot import attainment_svg, cumulative_usage, usage_svg
from operant.statements.services import statement_build

from .conftest import AFTER, NOVEMBER

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"


def test_cumulative_usage_counts_allowance_minutes_by_day(acme_november):
    figures = statement_build(client=acme_november, month=NOVEMBER, now=AFTER).figures
    totals = cumulative_usage(figures)
    assert len(totals) == 30
    assert totals[1] == 0
    assert totals[2] == 10  # 3 November
    assert totals[9] == 25  # 10 November; the quoted 40 minutes on the 11th do not count
    assert totals[-1] == 25


def test_the_charts_are_valid_svg_with_a_title_and_description(acme_november):
    figures = statement_build(client=acme_november, month=NOVEMBER, now=AFTER).figures
    for svg, words in (
        (usage_svg(figures), "25 of 30 minutes"),
        (attainment_svg(figures), "66.7%"),
    ):
        root = ET.fromstring(str(svg))
        assert root.get("role") == "img"
        title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
        assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
        assert words in desc.text


def test_the_usage_chart_draws_the_allowance_line(acme_november):
    figures = statement_build(client=acme_november, month=NOVEMBER, now=AFTER).figures
    root = ET.fromstring(str(usage_svg(figures)))
    assert root.find(f"{SVG}line[@class='allowance-line']") is not None
    assert root.find(f"{SVG}polyline[@class='usage-line']") is not None


def test_attainment_without_verdicts_says_so(acme):
    figures = statement_build(client=acme, month=NOVEMBER, now=AFTER).figures
    assert (
        "No first responses" in ET.fromstring(str(attainment_svg(figures))).find(f"{SVG}desc").text
    )
