"""Find the line where a key of a TOML document is written, for error messages.

``tomllib`` returns plain dicts with no positions, so a bad value could only be named by its
key. Operators fix files faster with a line number, so this module walks the text once and
records the first line of every key path it sees: table headers (``[a.b]``), arrays of tables
(``[[a]]``, the n-th header being index n-1), dotted keys (``hours.mon = ...``), inline tables
and array elements.

It is a best-effort scanner, not a parser: it runs only on text ``tomllib`` has already accepted,
so it can skip values without checking them, and when it cannot place a key it answers ``None``
rather than a wrong line.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

Path = tuple[str | int, ...]

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_INDEX = re.compile(r"\[(\d+)\]")
_SCALAR = re.compile(r"[^,\]}\n#]*")


def split_dotted(key: str) -> Path:
    """``"a.b[2].c"`` → ``("a", "b", 2, "c")``; the reverse of ``dotted``."""
    parts: list[str | int] = []
    for chunk in key.split("."):
        name, _, rest = chunk.partition("[")
        if name:
            parts.append(name)
        if rest:
            parts.extend(int(i) for i in _INDEX.findall("[" + rest))
    return tuple(parts)


def dotted(path: Sequence[str | int]) -> str:
    """``("a", "b", 2, "c")`` → ``"a.b[2].c"``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def key_lines(text: str) -> dict[Path, int]:
    """Every key path in ``text`` mapped to the 1-based line where it first appears."""
    scanner = _Scanner(text)
    scanner.document()
    return scanner.lines


def line_of(text: str, path: Sequence[str | int], *, exact: bool = False) -> int | None:
    """The line of ``path``, or of its longest written prefix unless ``exact``.

    A prefix is the right answer for a value inside something the scanner records as a whole
    (a list element of a string array, say); ``exact`` is for "missing" keys, which have no
    line of their own.
    """
    try:
        lines = key_lines(text)
    except (IndexError, ValueError):  # the scanner met something it does not know: no line
        return None
    path = tuple(path)
    if exact:
        return lines.get(path)
    for end in range(len(path), 0, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return None


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.lines: dict[Path, int] = {}
        self._starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self._array_counts: dict[Path, int] = {}

    # -- positions -------------------------------------------------------------------------
    def _line(self, pos: int) -> int:
        return bisect.bisect_right(self._starts, pos)

    def _record(self, path: Path, pos: int) -> None:
        self.lines.setdefault(path, self._line(pos))

    def _peek(self, token: str) -> bool:
        return self.text.startswith(token, self.pos)

    def _skip_blank(self, *, newlines: bool) -> None:
        """Skip spaces, tabs, comments, and newlines too when ``newlines``."""
        text = self.text
        while self.pos < len(text):
            char = text[self.pos]
            if char in " \t\r" or (newlines and char == "\n"):
                self.pos += 1
            elif char == "#":
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end
            else:
                return

    # -- structure -------------------------------------------------------------------------
    def document(self) -> None:
        table: Path = ()
        while True:
            self._skip_blank(newlines=True)
            if self.pos >= len(self.text):
                return
            start = self.pos
            if self._peek("[["):
                self.pos += 2
                name = self._key()
                self.pos = self.text.index("]]", self.pos) + 2
                count = self._array_counts.get(name, 0) + 1
                self._array_counts[name] = count
                self._record(self._resolve(name), start)
                table = (*self._resolve(name[:-1]), name[-1], count - 1)
                self._record(table, start)
            elif self._peek("["):
                self.pos += 1
                name = self._key()
                self.pos = self.text.index("]", self.pos) + 1
                table = self._resolve(name)
                self._record_prefixes(table, len(table) - len(name), start)
            else:
                self._key_value(table)

    def _resolve(self, name: Path) -> Path:
        """A header's path with the current index inserted after every array of tables."""
        out: list[str | int] = []
        for i, part in enumerate(name):
            out.append(part)
            count = self._array_counts.get(name[: i + 1])
            if count and i < len(name) - 1:
                out.append(count - 1)
        return tuple(out)

    def _record_prefixes(self, path: Path, first: int, pos: int) -> None:
        for end in range(max(first, 0) + 1, len(path) + 1):
            self._record(path[:end], pos)

    def _key(self) -> Path:
        """A (possibly dotted, possibly quoted) key, leaving ``pos`` after it."""
        parts: list[str | int] = []
        while True:
            self._skip_blank(newlines=False)
            char = self.text[self.pos]
            if char in "\"'":
                end = self._string_end(self.pos)
                parts.append(self._unquote(self.text[self.pos : end]))
                self.pos = end
            else:
                match = _BARE_KEY.match(self.text, self.pos)
                if match is None:
                    raise ValueError(f"no key at offset {self.pos}")
                parts.append(match.group())
                self.pos = match.end()
            self._skip_blank(newlines=False)
            if not self._peek("."):
                return tuple(parts)
            self.pos += 1

    def _key_value(self, table: Path) -> None:
        start = self.pos
        key = self._key()
        full = (*table, *key)
        self._record_prefixes(full, len(table), start)
        self._skip_blank(newlines=False)
        self.pos += 1  # the "="
        self._skip_blank(newlines=False)
        self._value(full)

    def _value(self, path: Path) -> None:
        char = self.text[self.pos]
        if char == "{":
            self._inline_table(path)
        elif char == "[":
            self._array(path)
        elif char in "\"'":
            self.pos = self._string_end(self.pos)
        else:  # number, bool, date or time: runs to the next delimiter
            match = _SCALAR.match(self.text, self.pos)
            self.pos = match.end() if match else self.pos + 1

    def _inline_table(self, path: Path) -> None:
        self.pos += 1
        while True:
            self._skip_blank(newlines=True)
            if self._peek("}"):
                self.pos += 1
                return
            if self._peek(","):
                self.pos += 1
                continue
            self._key_value(path)

    def _array(self, path: Path) -> None:
        self.pos += 1
        index = 0
        while True:
            self._skip_blank(newlines=True)
            if self._peek("]"):
                self.pos += 1
                return
            if self._peek(","):
                self.pos += 1
                continue
            self._record((*path, index), self.pos)
            self._value((*path, index))
            index += 1

    # -- strings ---------------------------------------------------------------------------
    def _string_end(self, start: int) -> int:
        """The offset just after the string that opens at ``start``."""
        text = self.text
        quote = text[start]
        if text.startswith(quote * 3, start):
            pos = start + 3
            while not text.startswith(quote * 3, pos):
                pos += 2 if quote == '"' and text[pos] == "\\" else 1
            # Up to two quotes right before the closing delimiter belong to the value.
            extra = 0
            while extra < 2 and text.startswith(quote, pos + 3):
                pos += 1
                extra += 1
            return pos + 3
        pos = start + 1
        while text[pos] != quote:
            pos += 2 if quote == '"' and text[pos] == "\\" else 1
        return pos + 1

    @staticmethod
    def _unquote(token: str) -> str:
        # Keys are compared with what tomllib produced; simple escapes are enough for keys.
        body = token[1:-1]
        if token[0] == '"':
            body = body.encode("latin-1", "backslashreplace").decode("unicode_escape")
        return body
