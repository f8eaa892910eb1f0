"""operant.mail.mimeparser: the stdlib parser without per-boundary regexes gives the stdlib's
answers, and falls back to the stdlib parser itself whenever its fast path fails."""

from __future__ import annotations

import email.feedparser
import re
from email.message import Message
from email.parser import BytesParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from operant.mail import mimeparser
from operant.mail.headers import MIME_POLICY
from operant.mail.mimeparser import BoundaryMatcher, boundary_separator, parse_bytes
from operant.mail.parse import parse_message
from tests.mail.test_parse_robustness import SAMPLE_BYTES, damaged_samples

# The pattern email.feedparser compiles per boundary (Python 3.11's feedparser.py).
_SUFFIX = r")(?P<end>--)?(?P<ws>[ \t]*)(?P<linesep>\r\n|\r|\n)?$"


def stdlib_pattern(separator: str) -> str:
    return "(?P<sep>" + re.escape(separator) + _SUFFIX


def _groups(match) -> tuple | None:
    if match is None:
        return None
    names = ("sep", "end", "ws", "linesep")
    return (match.group(0), *(match.group(name) for name in names))


separators = st.text(min_size=1, max_size=12).map(lambda text: "--" + text)
tails = st.text(alphabet="-- \t\r\nx=", max_size=8)


@settings(max_examples=2000)
@given(separator=separators, tail=tails, prefix=st.sampled_from(["", "x", " ", "-"]))
def test_the_matcher_answers_as_the_stdlib_regex(separator: str, tail: str, prefix: str) -> None:
    pattern = stdlib_pattern(separator)
    line = prefix + separator + tail
    expected = _groups(re.compile(pattern).match(line))
    assert _groups(BoundaryMatcher(separator, pattern).match(line)) == expected


@given(separator=separators, line=st.text(max_size=30))
def test_the_matcher_answers_as_the_regex_on_any_line(separator: str, line: str) -> None:
    pattern = stdlib_pattern(separator)
    expected = _groups(re.compile(pattern).match(line))
    assert _groups(BoundaryMatcher(separator, pattern).match(line)) == expected


@given(separators)
def test_a_boundary_pattern_gives_back_its_separator(separator: str) -> None:
    assert boundary_separator(stdlib_pattern(separator)) == separator


@pytest.mark.parametrize(
    "pattern",
    [
        r"\r\n|\r|\n",
        "(?P<sep>abc)",
        "(?P<sep>a\\" + _SUFFIX,  # a dangling escape: not something re.escape produces
        "(?P<sep>a.b" + _SUFFIX,  # an unescaped dot: a real regex, not a literal
    ],
)
def test_other_patterns_are_left_to_re(pattern: str) -> None:
    assert boundary_separator(pattern) is None


def _shape(message: Message) -> tuple:
    """Everything the parse produced that our pipeline reads, recursively."""
    payload = message.get_payload()
    body = [_shape(part) for part in payload] if isinstance(payload, list) else payload
    return (
        list(message.raw_items()),
        [type(defect).__name__ for defect in message.defects],
        message.preamble,
        message.epilogue,
        body,
    )


def _stdlib(raw: bytes, headersonly: bool = False) -> Message:
    return BytesParser(policy=MIME_POLICY).parsebytes(raw, headersonly=headersonly)


@pytest.mark.parametrize("raw", SAMPLE_BYTES)
@pytest.mark.parametrize("headersonly", [False, True])
def test_samples_parse_as_the_stdlib_parses_them(raw: bytes, headersonly: bool) -> None:
    ours = parse_bytes(raw, policy=MIME_POLICY, headersonly=headersonly)
    assert _shape(ours) == _shape(_stdlib(raw, headersonly))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged_samples())
def test_damaged_samples_parse_as_the_stdlib_parses_them(raw: bytes) -> None:
    assert _shape(parse_bytes(raw, policy=MIME_POLICY)) == _shape(_stdlib(raw))


def test_nested_multiparts_with_awkward_boundaries() -> None:
    raw = (
        b'Content-Type: multipart/mixed; boundary="a.b*c (d)"\r\n\r\n'
        b"preamble\r\n--a.b*c (d)\r\n"
        b'Content-Type: multipart/alternative; boundary="--inner--"\r\n\r\n'
        b"----inner--\r\nContent-Type: text/plain\r\n\r\nplain\r\n"
        b"----inner-- \t\r\nContent-Type: text/html\r\n\r\n<p>html</p>\r\n"
        b"----inner----\r\n"
        b"--a.b*c (d)--\r\nepilogue\r\n"
    )
    ours = parse_bytes(raw, policy=MIME_POLICY)
    assert _shape(ours) == _shape(_stdlib(raw))
    inner = ours.get_payload()[0]
    assert [part.get_content_type() for part in inner.get_payload()] == [
        "text/plain",
        "text/html",
    ]


def test_the_stdlib_module_itself_is_untouched() -> None:
    assert email.feedparser.re is re


def test_the_private_parser_uses_the_matcher_for_boundaries() -> None:
    """If a Python release changes feedparser's pattern, this says the fast path is gone."""
    assert mimeparser.FAST_PATH
    compiled = mimeparser._feedparser.re.compile(stdlib_pattern("--boundary"))
    assert isinstance(compiled, BoundaryMatcher)
    assert mimeparser._feedparser.re.compile(r"\r\n|\r|\n").pattern == r"\r\n|\r|\n"


MULTIPART = [raw for raw in SAMPLE_BYTES if b"boundary=" in raw]


def _break(monkeypatch: pytest.MonkeyPatch, name: str) -> list[str]:
    """Make the private parser's boundary matcher raise; the list records each failure."""
    failures: list[str] = []

    def broken(self: BoundaryMatcher, line: str) -> None:
        failures.append(line)
        raise AttributeError(f"{name}: this Python's feedparser wants something else")

    monkeypatch.setattr(BoundaryMatcher, "match", broken)
    return failures


@pytest.mark.parametrize("raw", MULTIPART)
def test_a_failing_fast_path_parses_that_message_with_the_stdlib(
    raw: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = parse_message(raw)
    failures = _break(monkeypatch, "match")
    assert _shape(parse_bytes(raw, policy=MIME_POLICY)) == _shape(_stdlib(raw))
    assert failures, "the fast path was not broken"
    # The whole pipeline's parse: every part, nothing flagged that was not flagged before.
    assert parse_message(raw) == expected
    assert not any("MIME structure" in problem for problem in expected.problems)


def test_a_missing_private_method_falls_back_for_a_headers_only_parse(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delattr(mimeparser._feedparser.FeedParser, "_set_headersonly")
    for raw in SAMPLE_BYTES:
        ours = parse_bytes(raw, policy=MIME_POLICY, headersonly=True)
        assert _shape(ours) == _shape(_stdlib(raw, headersonly=True))


def test_a_message_the_stdlib_cannot_parse_either_raises_the_stdlib_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise RecursionError("too deep")

    monkeypatch.setattr(mimeparser, "_parse_fast", refuse)
    monkeypatch.setattr(BytesParser, "parsebytes", refuse)
    with pytest.raises(RecursionError):
        parse_bytes(SAMPLE_BYTES[0], policy=MIME_POLICY)


@pytest.mark.parametrize(
    "change",
    [
        # The stdlib builds another boundary pattern: the matcher is never used.
        lambda monkeypatch: monkeypatch.setattr(mimeparser, "_SUFFIX", ")(?P<end>--)?$"),
        # The stdlib's module no longer calls its parser FeedParser.
        lambda monkeypatch: monkeypatch.setattr(
            mimeparser, "_private_feedparser", lambda: email.feedparser.__class__("empty")
        ),
    ],
    ids=["pattern-changed", "name-missing"],
)
def test_a_changed_stdlib_turns_the_fast_path_off_at_import(
    change, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert mimeparser._fast_parser() is not None
    change(monkeypatch)
    assert mimeparser._fast_parser() is None


def test_without_the_fast_path_every_message_parses_with_the_stdlib(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    expected = [parse_message(raw) for raw in SAMPLE_BYTES]
    touched = _break(monkeypatch, "unused")
    monkeypatch.setattr(mimeparser, "_feedparser", None)
    for raw in SAMPLE_BYTES:
        assert _shape(parse_bytes(raw, policy=MIME_POLICY)) == _shape(_stdlib(raw))
    assert [parse_message(raw) for raw in SAMPLE_BYTES] == expected
    assert touched == []  # the private parser was never asked


def test_a_line_split_between_feed_pieces_parses_as_the_stdlib_parses_it() -> None:
    """The stdlib feeds 8192 characters at a time; a CRLF and a boundary straddle the cut."""
    head = b'Content-Type: multipart/mixed; boundary="cut"\r\n\r\n--cut\r\n\r\n'
    filler = b"x" * (8192 - len(head) - 1)
    raw = head + filler + b"\r\n--cut\r\n\r\nsecond\r\n--cut--\r\n"
    assert raw[8191:8193] == b"\r\n"
    ours = parse_bytes(raw, policy=MIME_POLICY)
    assert _shape(ours) == _shape(_stdlib(raw))
    assert len(ours.get_payload()) == 2
