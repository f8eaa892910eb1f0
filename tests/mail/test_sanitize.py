"""Inbound HTML is made safe to show to an agent."""

from __future__ import annotations

from operant.mail.sanitize import sanitize_html
from tests.mail.helpers import parse_sample


def _tracking_html() -> str:
    html = parse_sample("tracking.eml").html
    assert html is not None
    return html


def test_it_removes_scripts_styles_and_their_content() -> None:
    html = _tracking_html()

    assert "<script" not in html
    assert "evil.example/x.js" not in html
    assert "<style" not in html
    assert "background" not in html


def test_it_removes_event_handlers_and_style_attributes() -> None:
    html = _tracking_html()

    assert "onload" not in html
    assert "onclick" not in html
    assert "steal()" not in html
    assert "style=" not in html


def test_it_removes_javascript_and_data_links_but_keeps_their_text() -> None:
    html = _tracking_html()

    assert "javascript:" not in html
    assert "data:text/html" not in html
    assert ">confirm</a>" in html
    assert ">data link</a>" in html


def test_it_keeps_web_links_opening_safely() -> None:
    html = _tracking_html()

    assert 'href="https://vendor.example/account"' in html
    assert 'rel="noopener noreferrer"' in html
    assert 'target="_self"' not in html


def test_it_neutralises_remote_images_and_keeps_embedded_ones() -> None:
    html = _tracking_html()

    assert "tracker.example" not in html
    assert 'src="cid:logo@vendor"' in html


def test_it_removes_frames_forms_and_svg() -> None:
    html = _tracking_html()

    for gone in ("<iframe", "frame text", "<form", "<input", "<button", "<svg", "password"):
        assert gone not in html


def test_it_refuses_script_in_odd_spellings() -> None:
    html = sanitize_html(
        '<a href=" JaVaScRiPt:alert(1)">a</a><a href="vbscript:x">b</a>'
        '<img src="data:image/svg+xml;base64,PHN2Zz4=" alt="svg">'
        '<img src="data:image/png;base64,iVBORw0KGgo=" alt="png">'
    )

    assert "alert" not in html
    assert "vbscript" not in html
    assert "svg+xml" not in html
    assert 'src="data:image/png;base64,iVBORw0KGgo="' in html


def test_it_marks_quoted_history_for_folding() -> None:
    html = sanitize_html(
        '<p>new</p><div class="gmail_quote extra">old</div>'
        '<blockquote type="cite">older</blockquote><div id="divRplyFwdMsg">From: x</div>'
        '<div class="MsoNormal" id="other">plain</div>'
    )

    assert '<div class="quoted">old</div>' in html
    assert 'class="quoted"' in html.split("older")[0].rsplit("<blockquote", 1)[1]
    assert '<div class="quoted">From: x</div>' in html
    assert "<div>plain</div>" in html
    assert "MsoNormal" not in html


def test_it_keeps_basic_formatting() -> None:
    html = sanitize_html(
        "<p><b>bold</b> <i>it</i> <u>u</u></p><ul><li>one</li></ul>"
        '<table><tr><td colspan="2">cell</td></tr></table><br><pre>code</pre>'
    )

    for kept in ("<b>bold</b>", "<i>it</i>", "<li>one</li>", 'colspan="2"', "<pre>code</pre>"):
        assert kept in html
