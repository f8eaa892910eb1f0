"""HTML → text for search, classification and HTML-only mail."""

from __future__ import annotations

from operant.mail.htmltext import html_to_text


def test_it_turns_blocks_into_lines_and_paragraphs() -> None:
    result = html_to_text("<p>one</p><p>two</p><div>three<br>four</div>")

    assert result.text == "one\n\ntwo\n\nthree\nfour"


def test_it_collapses_white_space_and_decodes_entities() -> None:
    result = html_to_text("<p>  a \n\t b&nbsp;&amp;&lt;c&gt; &eacute;&#233;</p>")

    assert result.text == "a b &<c> éé"


def test_it_keeps_link_text_and_drops_script_and_style() -> None:
    result = html_to_text(
        '<style>p{color:red}</style><script>var x = "<p>no</p>";</script>'
        '<p>see <a href="https://x.example">the docs</a></p>'
    )

    assert result.text == "see the docs"


def test_it_lists_items_and_keeps_preformatted_text() -> None:
    result = html_to_text("<ul><li>a</li><li>b</li></ul><pre>  x\n    y</pre>")

    assert result.text == "- a\n- b\n\n  x\n    y"


def test_it_prefixes_blockquotes_like_a_text_reply() -> None:
    result = html_to_text("<p>new</p><blockquote>old<blockquote>older</blockquote></blockquote>")

    assert result.text == "new\n\n> old\n>\n> > older"


def test_it_reports_where_a_gmail_quote_begins() -> None:
    result = html_to_text(
        '<div>Thanks!</div><div class="gmail_quote"><div>On Tue, Mar 11, 2025 Support wrote:'
        "</div><blockquote>question</blockquote></div>"
    )

    assert result.quote_start is not None
    assert result.text[result.quote_start :].startswith("On Tue, Mar 11, 2025 Support wrote:")


def test_it_survives_an_unclosed_head_and_garbage() -> None:
    assert html_to_text("<head><title>t</title><body>body text").text == "body text"
    assert html_to_text("<<<>>> &&& </p></div>").text == "<<<>>> &&&"
    assert html_to_text("").text == ""
