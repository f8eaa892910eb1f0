"""The stdlib MIME parser, without its per-message regex compilation.

``email.feedparser`` compiles a new regular expression for every multipart boundary it meets
(``re.compile('(?P<sep>' + re.escape(separator) + ...)``). Boundaries are unique per message,
so the regex cache never helps, and the compilation costs about 0.25 ms here: more than a
fifth of parsing a typical multipart message.

``parse_bytes`` runs a private instance of the stdlib module (loaded again from the stdlib's
own file, so ``email.feedparser`` itself and everyone else using it are untouched) whose
``re.compile`` recognises exactly that boundary pattern and returns ``BoundaryMatcher``, a
string-method matcher with the regex's answers (tests compare the two on generated input).
Any other pattern, or a boundary pattern that does not read back exactly, is compiled by ``re``.

The speed-up rests on stdlib internals (the module's ``re`` name, the pattern's exact text,
``FeedParser._set_headersonly``), which a Python release may change. So it is only a fast
path, never a dependency:

1. At import, the private parser parses a probe message; unless it met the boundary pattern
   and read the probe right, ``FAST_PATH`` is False and every message goes to the stdlib's
   ``BytesParser``.
2. Per message, any exception on the fast path parses that message again with the stdlib
   (and logs a warning if the stdlib succeeds, since then the fast path was at fault).
"""

from __future__ import annotations

import importlib.util
import logging
import re
import types
from email.message import Message
from email.parser import BytesParser
from email.policy import Policy, compat32
from typing import Any

log = logging.getLogger(__name__)

# The pattern email.feedparser builds, around re.escape(separator).
_PREFIX = "(?P<sep>"
_SUFFIX = r")(?P<end>--)?(?P<ws>[ \t]*)(?P<linesep>\r\n|\r|\n)?$"
_ESCAPED_CHAR = re.compile(r"\\(.)", re.DOTALL)
_LINESEPS = ("\r\n", "\r", "\n")
# email.parser.Parser.parse reads and feeds its input this many characters at a time.
_PIECE = 8192


class BoundaryMatch:
    """The groups of a boundary line match that the parser reads."""

    __slots__ = ("_groups",)

    def __init__(self, sep: str, end: str | None, ws: str, linesep: str | None) -> None:
        self._groups = {"sep": sep, "end": end, "ws": ws, "linesep": linesep}

    def group(self, name: str | int = 0) -> str | None:
        if name == 0:
            groups = self._groups
            return "".join(groups[key] or "" for key in ("sep", "end", "ws", "linesep"))
        return self._groups[name]  # type: ignore[index]


class BoundaryMatcher:
    """``re.compile(_PREFIX + re.escape(separator) + _SUFFIX)``'s ``match``, by string methods.

    The regex: the separator, then ``--`` if present (tried first, given up if the rest fails),
    blanks, one line ending if present, then the end of the line (``$``: the end, or just
    before a final newline). Giving up blanks never helps (``$`` cannot follow a blank), so
    only the ``--`` needs a second try.
    """

    __slots__ = ("pattern", "separator")

    def __init__(self, separator: str, pattern: str) -> None:
        self.separator = separator
        self.pattern = pattern

    def match(self, line: str) -> BoundaryMatch | None:
        separator = self.separator
        if not line.startswith(separator):
            return None
        rest = line[len(separator) :]
        if rest.startswith("--"):
            found = _tail(separator, "--", rest[2:])
            if found is not None:
                return found
        return _tail(separator, None, rest)


def _tail(separator: str, end: str | None, rest: str) -> BoundaryMatch | None:
    after = rest.lstrip(" \t")
    ws = rest[: len(rest) - len(after)]
    for linesep in _LINESEPS:
        if after.startswith(linesep) and after[len(linesep) :] in ("", "\n"):
            return BoundaryMatch(separator, end, ws, linesep)
    if after in ("", "\n"):
        return BoundaryMatch(separator, end, ws, None)
    return None


def boundary_separator(pattern: str) -> str | None:
    """The separator a feedparser boundary pattern was built from, or None for any other."""
    if not (pattern.startswith(_PREFIX) and pattern.endswith(_SUFFIX)):
        return None
    escaped = pattern[len(_PREFIX) : -len(_SUFFIX)]
    separator = _ESCAPED_CHAR.sub(r"\1", escaped)
    # Only a pattern that re.escape would have produced from this separator is taken.
    return separator if re.escape(separator) == escaped else None


class _ReWithBoundaries:
    """The ``re`` the private feedparser sees: ``re`` itself, but boundary patterns compile
    to a BoundaryMatcher. ``boundaries`` counts them (the import-time probe reads it)."""

    def __init__(self) -> None:
        self.boundaries = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(re, name)

    def compile(self, pattern: Any, flags: int = 0) -> Any:
        if flags == 0 and isinstance(pattern, str):
            separator = boundary_separator(pattern)
            if separator is not None:
                self.boundaries += 1
                return BoundaryMatcher(separator, pattern)
        return re.compile(pattern, flags)


def _private_feedparser() -> types.ModuleType:
    spec = importlib.util.find_spec("email.feedparser")
    if spec is None or spec.loader is None:  # pragma: no cover - the stdlib always has it
        raise ImportError("email.feedparser not found")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.re = _ReWithBoundaries()  # type: ignore[attr-defined]
    return module


# A multipart with a preamble, two parts and an epilogue: the probe the fast path must read.
_PROBE = (
    b'Content-Type: multipart/mixed; boundary="probe.1"\r\n\r\n'
    b"preamble\r\n--probe.1\r\n\r\none\r\n--probe.1 \r\n\r\ntwo\r\n--probe.1--\r\nend\r\n"
)


def _fast_parser() -> types.ModuleType | None:
    """The private feedparser, or None when this Python's feedparser no longer fits it."""
    try:
        module = _private_feedparser()
        message = _parse_fast(module, _PROBE, policy=compat32, headersonly=False)
        parts = message.get_payload()
        read = [part.get_payload() for part in parts] if isinstance(parts, list) else None
        if module.re.boundaries and read == ["one", "two"] and message.epilogue == "end\r\n":
            return module
    except Exception:  # any change in the stdlib's internals
        log.debug("the private feedparser failed its probe", exc_info=True)
    log.warning("email.feedparser changed: parsing mail with the stdlib parser (slower)")
    return None


def _parse_fast(
    module: types.ModuleType, data: bytes, *, policy: Policy, headersonly: bool
) -> Message:
    # As BytesParser does: bytes become str with every non-ASCII byte kept as a surrogate.
    text = data.decode("ASCII", errors="surrogateescape")
    parser = module.FeedParser(policy=policy)
    if headersonly:
        parser._set_headersonly()
    # In the stdlib's 8192-character pieces, so even a line split across two pieces is met
    # exactly as email.parser.Parser meets it.
    for start in range(0, len(text), _PIECE):
        parser.feed(text[start : start + _PIECE])
    return parser.close()


_feedparser = _fast_parser()
FAST_PATH = _feedparser is not None


def parse_bytes(data: bytes, *, policy: Policy, headersonly: bool = False) -> Message:
    """``email.parser.BytesParser(policy=policy).parsebytes(data, headersonly)``, faster."""
    if _feedparser is not None:
        try:
            return _parse_fast(_feedparser, data, policy=policy, headersonly=headersonly)
        except Exception as exc:  # noqa: BLE001 - whatever broke, the stdlib decides
            # If the stdlib fails too, the message is at fault (e.g. absurd nesting): its
            # exception is the one the caller sees.
            message = BytesParser(policy=policy).parsebytes(data, headersonly=headersonly)
            log.warning("fast MIME parse failed (%r); parsed with the stdlib instead", exc)
            return message
    return BytesParser(policy=policy).parsebytes(data, headersonly=headersonly)
