"""ISO-2022-JP as Windows mailers write it (Microsoft's CP50220/CP50221/CP50222).

Mail labelled ISO-2022-JP often holds more than RFC 1468 allows: half-width katakana
(after ``ESC ( I``, or between SO and SI), NEC's row 13 (circled digits, Roman numerals,
㈱, № …) and the NEC/IBM kanji rows 89-92, because Outlook and other Windows mailers encode
from cp932. None of Python's ``iso2022_jp*`` codecs reads all of these: ``iso2022_jp_ext``
has the half-width katakana but not the NEC rows, ``iso2022_jp_2`` has neither (only the
ISO-2022-JP-2 sets: JIS X 0212, GB 2312, KS C 5601, ISO-8859-1/-7). So this decoder reads the union:

- every JIS X 0208 character exactly as Python's ISO-2022-JP codecs read it (through the same
  table, by way of EUC-JP), so a text any of them encodes reads back unchanged;
- characters outside JIS X 0208 (NEC row 13, the NEC/IBM rows) as cp932 reads them, the
  two-byte code moved to its Shift_JIS position (a fixed arithmetic mapping);
- half-width katakana (``ESC ( I`` or SO/SI), JIS X 0212 (``ESC $ ( D``) and JIS-Roman;
- anything else, such as the ISO-2022-JP-2 escapes for Korean or Chinese, by ``iso2022_jp_2``.
"""

from __future__ import annotations

import re

_ESCAPE = re.compile(rb"\x1b(\(B|\(J|\(I|\$@|\$B|\$\(B|\$\(@|\$\(D)")
_ASCII, _ROMAN, _KATAKANA, _JIS0208, _JIS0212 = range(5)
_STATES = {
    b"(B": _ASCII,
    b"(J": _ROMAN,
    b"(I": _KATAKANA,
    b"$@": _JIS0208,
    b"$B": _JIS0208,
    b"$(B": _JIS0208,
    b"$(@": _JIS0208,
    b"$(D": _JIS0212,
}
_HIGH_BIT = bytes(b | 0x80 for b in range(128)) + bytes(range(128, 256))
_SHIFT = re.compile(rb"\x0e([^\x0f]*)\x0f?")
_LINE_END = re.compile(rb"(\r?\n)")


class _Undecodable(ValueError):
    """A byte sequence none of the sets reads (only raised when errors is "strict")."""


def decode(data: bytes, errors: str = "strict") -> str:
    """ISO-2022-JP with the Windows extensions → text; raises UnicodeDecodeError like a codec."""
    if b"\x0e" not in data:  # (Python's codec passes SO and SI through as characters)
        try:
            return data.decode("iso2022_jp")  # RFC 1468 proper: nearly all mail, at C speed
        except UnicodeDecodeError:
            pass
    if b"\x1b" in _ESCAPE.sub(b"", data):
        # Escapes of ISO-2022-JP-2 (or of nothing): its own codec reads them, or nothing does.
        return data.decode("iso2022_jp_2", errors)
    try:
        return "".join(_pieces(data, errors))
    except _Undecodable as exc:
        raise UnicodeDecodeError("iso-2022-jp", data, 0, len(data), str(exc)) from None


def _pieces(data: bytes, errors: str) -> list[str]:
    out: list[str] = []
    state = _ASCII
    position = 0
    for match in _ESCAPE.finditer(data):
        out.extend(_run(data[position : match.start()], state, errors))
        state = _STATES[match.group(1)]
        position = match.end()
    out.extend(_run(data[position:], state, errors))
    return out


def _run(chunk: bytes, state: int, errors: str) -> list[str]:
    """The text of bytes written in one state; line ends pass through in every state."""
    out: list[str] = []
    for index, part in enumerate(_LINE_END.split(chunk)):
        if index % 2:
            out.append(part.decode("ascii"))
        elif part:
            out.append(_single_state(part, state, errors))
    return out


def _single_state(part: bytes, state: int, errors: str) -> str:
    if state in (_ASCII, _ROMAN):
        if b"\x0e" in part:  # CP50222: SO ... SI around half-width katakana
            return _SHIFT.sub(lambda m: _katakana(m.group(1), errors).encode("utf-8"), part).decode(
                "utf-8"
            )
        text = _seven_bit(part, errors)
        return text.replace("\\", "\u00a5").replace("~", "\u203e") if state == _ROMAN else text
    if state == _KATAKANA:
        return _katakana(part, errors)
    if state == _JIS0212:
        return _jis0212(part, errors)
    return _jis0208(part, errors)


def _seven_bit(part: bytes, errors: str) -> str:
    try:
        return part.decode("ascii")
    except UnicodeDecodeError:
        if errors == "strict":
            raise _Undecodable("8-bit byte in ISO-2022-JP") from None
        return part.decode("ascii", errors)


def _katakana(part: bytes, errors: str) -> str:
    """Half-width katakana: JIS X 0201 0x21-0x5F, which are cp932's single bytes 0xA1-0xDF."""
    if any(not 0x21 <= b <= 0x5F for b in part):
        if errors == "strict":
            raise _Undecodable("not a half-width katakana")
        chars = (_katakana(bytes([b]), errors) if 0x21 <= b <= 0x5F else "\ufffd" for b in part)
        return "".join(chars)
    return part.translate(_HIGH_BIT).decode("cp932")


def _jis0208(part: bytes, errors: str) -> str:
    try:
        return part.translate(_HIGH_BIT).decode("euc_jp")
    except UnicodeDecodeError:
        pass
    out = []
    for index in range(0, len(part), 2):
        out.append(_jis0208_char(part[index : index + 2], errors))
    return "".join(out)


def _jis0208_char(pair: bytes, errors: str) -> str:
    try:
        return pair.translate(_HIGH_BIT).decode("euc_jp")
    except UnicodeDecodeError:
        pass
    if len(pair) == 2 and 0x21 <= pair[0] <= 0x7E and 0x21 <= pair[1] <= 0x7E:
        try:
            return _shift_jis(pair[0], pair[1]).decode("cp932")
        except UnicodeDecodeError:
            pass
    if errors == "strict":
        raise _Undecodable("not a JIS X 0208 or Windows extension character")
    return "\ufffd"


def _shift_jis(first: int, second: int) -> bytes:
    """The Shift_JIS bytes of a JIS row/cell code (JIS X 0208 Appendix 1's transformation)."""
    lead = ((first + 1) >> 1) + 0x70
    if lead >= 0xA0:
        lead += 0x40
    if first % 2:
        trail = second + 0x1F
        if trail >= 0x7F:
            trail += 1
    else:
        trail = second + 0x7E
    return bytes((lead, trail))


def _jis0212(part: bytes, errors: str) -> str:
    """JIS X 0212 (supplementary kanji): EUC-JP writes each as 0x8F plus the code's bytes."""
    high = part.translate(_HIGH_BIT)
    triples = b"".join(b"\x8f" + high[i : i + 2] for i in range(0, len(high), 2))
    try:
        return triples.decode("euc_jp")
    except UnicodeDecodeError:
        if errors == "strict":
            raise _Undecodable("not a JIS X 0212 character") from None
        return triples.decode("euc_jp", errors)
