"""The one charset policy of the mail parser: bytes → text, for bodies and headers alike.

1. A label is a minimum, not a promise: senders label text by the charset they meant and
   write it with that charset's superset. So labels are read as browsers read them (the
   WHATWG Encoding Standard): gb2312 and gbk as gb18030, shift_jis as cp932, euc-kr as cp949,
   iso-8859-1 and us-ascii as windows-1252; iso-2022-jp with the Windows extensions (see
   ``iso2022jp``). A superset read is only worth a problem when the label alone would have
   failed; where both read the bytes, the superset's reading is the one the sender saw.
2. Text that does not decode as labelled, or carries no label: valid UTF-8 is UTF-8; text
   that is overwhelmingly UTF-8 stays UTF-8 with a replacement character per bad sequence;
   then the charsets the message itself declares elsewhere (headers only); then a detector.
   windows-1252 is only the last resort. Every such repair is written down.
3. The stdlib decodes RFC 2047 words by their label; ``encoded_words`` rewrites the words
   whose reading under this policy differs into UTF-8 words, so the stdlib's parsers keep
   their semantics (quoting, white space between words) and read the right characters.

The common case (UTF-8 or ASCII as labelled) costs one ``bytes.decode``; codec lookups are
cached, and the detector is only loaded for text nothing else reads.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import re
from collections.abc import Iterable, Iterator
from email import quoprimime
from email.message import Message
from functools import lru_cache

from operant.mail import iso2022jp

# Decoders of this module that Python has no codec for, and the stdlib codec that comes
# closest (used where the stdlib decodes by itself: RFC 2231 parameters).
WINDOWS_1252 = "windows-1252"  # cp1252 with the five unassigned bytes as C1 controls (WHATWG)
ISO2022JP = "cp50221"  # ISO-2022-JP with Microsoft's extensions, Microsoft's name for it
_STDLIB_CODEC = {WINDOWS_1252: "cp1252", ISO2022JP: "iso2022_jp_2"}

# Python codec name of a label → the codec to read it with.
_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "shift_jis": "cp932",
    "euc_kr": "cp949",
    "iso2022_jp": ISO2022JP,
    "iso8859-1": WINDOWS_1252,
    "ascii": WINDOWS_1252,
    "cp1252": WINDOWS_1252,
    # The same WHATWG rule for Turkish and Thai.
    "iso8859-9": "cp1254",
    "iso8859-11": "cp874",
    "tis-620": "cp874",
}
# Labels in mail that Python does not know (normalised as in ``_clean``).
_ALIASES = {
    "x-sjis": "cp932",
    "windows-31j": "cp932",
    "x-gbk": "gb18030",
    "x-euc-jp": "euc_jp",
    "windows-874": "cp874",
    "cp50220": ISO2022JP,
    "cp50221": ISO2022JP,
    "cp50222": ISO2022JP,
    "unknown-8bit": "",  # the stdlib's own word for "no charset known"
    "x-unknown": "",
}
# 7-bit charsets cannot explain 8-bit bytes; a message declaring one writes its raw header
# bytes in the same language's 8-bit charsets.
_EIGHT_BIT_SIBLINGS = {
    ISO2022JP: ("cp932", "euc_jp"),
    "iso2022_jp_2": ("cp932", "euc_jp"),
    "iso2022_kr": ("cp949",),
    "hz": ("gb18030",),
}
# Codecs that are not mail charsets; some are slow or surprising on hostile input.
_REFUSED = {"punycode", "idna", "unicode_escape", "raw_unicode_escape", "undefined"}
# Only the characters charset names are made of (RFC 2978): no quotes, spaces or NULs.
_NOT_CHARSET = re.compile(r"[^A-Za-z0-9._:+()-]")
_C1 = "".join(chr(c) for c in range(0x80, 0xA0))
# windows-1252 as WHATWG reads it: latin-1, with 0x80-0x9F as cp1252 has them where it has them.
_WINDOWS_1252_C1 = str.maketrans(_C1, bytes(range(0x80, 0xA0)).decode("cp1252", "replace"))
_WINDOWS_1252_C1.update({ord(c): ord(c) for c in "\x81\x8d\x8f\x90\x9d"})

# Keep UTF-8 (with replacement characters) when valid multi-byte characters outnumber the
# invalid sequences at least this many times. Text in a single-byte charset almost never
# holds a valid UTF-8 multi-byte sequence (it takes an accented capital followed by a symbol
# byte such as "«"), and CJK text read as UTF-8 shows far more invalid sequences than valid
# ones; mostly-UTF-8 text with one stray byte ("Grüße aus Köln") has three valid to one bad.
_UTF8_MAJORITY = 2
# The detector reads at most this much (cut at a line end): enough to decide, bounded time
# (tens of milliseconds on junk; less on text).
_DETECT_BYTES = 16 * 1024
# Detections of short texts (header values, mostly) are kept: the same ones come back.
_CACHED_BYTES = 2000
# Detections one message may run: each costs milliseconds, and a hostile message could ask
# for one per part or header. Past the budget, windows-1252 is the fallback.
DETECTIONS_PER_MESSAGE = 8
# Detections per header value (each run of encoded words may need one).
_DETECTIONS_PER_VALUE = 4
# Charsets the detector may answer (it knows dozens of rare ones that short mail text
# matches by chance), most used first: among matches as good as each other the first wins.
_DETECTABLE = (
    "cp1252",
    "cp932",
    "gb18030",
    "cp949",
    "big5",
    "euc_jp",
    "cp1251",
    "koi8_r",
    "cp1250",
    "cp1254",
    "cp1253",
    "cp1257",
    "cp1255",
    "cp1256",
    "cp874",
    "cp1258",
    "koi8_u",
)
_RANK = {name: rank for rank, name in enumerate(_DETECTABLE)}
# Characters a wrong guess produces and real mail text rarely has: half-width katakana (a
# Big5 or GBK text read as cp932), the private use area, C1 controls.
_UNLIKELY = re.compile("[\uff61-\uff9f\ue000-\uf8ff\x80-\x9f]")
# How much worse (charset-normalizer's "chaos", 0-1) a match may be and still count as tied.
_TIE = 0.05


def _clean(label: str) -> str:
    return _NOT_CHARSET.sub("", label)[:40].lower()


@lru_cache(maxsize=256)
def codec_for(label: str) -> str | None:
    """The codec this policy reads ``label`` with; None when unknown or refused. Cached, as
    the few charsets in use are looked up for every part and header."""
    clean = _clean(label)
    if clean in _ALIASES:
        return _ALIASES[clean] or None
    try:
        name = codecs.lookup(clean).name
    except (LookupError, ValueError):
        return None
    return None if name in _REFUSED else _SUPERSETS.get(name, name)


@lru_cache(maxsize=256)
def _label_codec(label: str) -> str | None:
    """The Python codec the label names by itself (what the stdlib would decode with)."""
    clean = _clean(label)
    try:
        name = codecs.lookup(clean).name
    except (LookupError, ValueError):
        return None
    return None if name in _REFUSED else name


def stdlib_codec(codec: str) -> str:
    """A codec name the stdlib can decode with, closest to ``codec``."""
    return _STDLIB_CODEC.get(codec, codec)


def _decode(data: bytes, codec: str, errors: str = "strict") -> str:
    if codec == WINDOWS_1252:
        try:
            return data.decode("cp1252")  # at C speed; fails only on its five unassigned bytes
        except UnicodeDecodeError:
            return data.decode("latin-1").translate(_WINDOWS_1252_C1)
    if codec == ISO2022JP:
        return iso2022jp.decode(data, errors)
    return data.decode(codec, errors)


def _try(data: bytes, codec: str) -> str | None:
    try:
        return _decode(data, codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _mostly(data: bytes, codec: str) -> tuple[str, int] | None:
    """(text, bad sequences) when ``data`` is overwhelmingly valid ``codec`` (see
    ``_UTF8_MAJORITY``), read with a replacement character for each bad sequence."""
    try:
        text = _decode(data, codec, "replace")
    except (UnicodeDecodeError, LookupError):
        return None
    replaced = text.count("\ufffd")
    bad = replaced - _decode_replacement_count(data, codec)
    non_ascii = len(text) - len(text.encode("ascii", "ignore"))
    good = non_ascii - replaced
    if bad > 0 and bad * _UTF8_MAJORITY <= good:
        return text, bad
    return None


def _decode_replacement_count(data: bytes, codec: str) -> int:
    """Replacement characters the sender wrote (they are not decoding errors)."""
    return data.count(b"\xef\xbf\xbd") if codec == "utf-8" else 0


class DetectionBudget:
    """How many more detections a message may run (``DETECTIONS_PER_MESSAGE``)."""

    def __init__(self, runs: int = DETECTIONS_PER_MESSAGE) -> None:
        self.runs = runs

    def detect(self, data: bytes) -> str | None:
        if self.runs <= 0:
            return None
        self.runs -= 1
        return detect(data)


def decode(
    data: bytes,
    label: str | None,
    *,
    hints: Iterable[str] = (),
    detection: DetectionBudget | None = None,
    undeclared: str = "no charset and not UTF-8",
) -> tuple[str, list[str]]:
    """``data`` as text under this policy, and the repairs made (empty when none).

    ``label`` is the declared charset (None: none declared). ``hints`` are codecs to try
    before the detector (the charsets the rest of the message declares). ``detection`` is
    the message's budget for the detector; None runs none (for text nobody reads, such as a
    charset name). ``undeclared`` says what was wrong with unlabelled bytes, for the notes.
    """
    notes: list[str] = []
    declared, codec = _label(label) if label else ("", None)
    if codec is not None:
        text = _declared(data, declared, codec, notes)
        if text is not None:
            return text, notes
        problem = f"not valid {declared}"
    else:
        problem = f"unknown charset {declared!r}" if declared else undeclared
        if data.isascii():
            if declared:
                notes.append(f"{problem}, read as ASCII")
            return data.decode("ascii"), notes
    text = _try(data, "utf-8")
    if text is not None:
        if declared:
            notes.append(f"{problem}, decoded as UTF-8")
        return text, notes
    for candidate in dict.fromkeys(("utf-8", codec)):
        mostly = _mostly(data, candidate) if candidate else None
        if mostly is not None:
            shown = "UTF-8" if candidate == "utf-8" else candidate
            notes.append(f"{problem}: read as {shown}, {mostly[1]} bad byte sequence(s) replaced")
            return mostly[0], notes
    # A strict multi-byte read is evidence; a single-byte charset reads anything, so it is only
    # taken when the detector finds no multi-byte reading (raw Shift_JIS in a mail whose body
    # is windows-1252 is still Shift_JIS).
    single_byte: list[str] = []
    for hint in hints:
        if _single_byte(hint):
            single_byte.append(hint)
            continue
        text = _try(data, hint)
        if text is not None:
            notes.append(f"{problem}, decoded as {hint} (declared elsewhere in the message)")
            return text, notes
    detected = detection.detect(data) if detection is not None else None
    if single_byte and (detected is None or _single_byte(detected)):
        for hint in single_byte:
            text = _try(data, hint)
            if text is not None:
                notes.append(f"{problem}, decoded as {hint} (declared elsewhere in the message)")
                return text, notes
    if detected is not None:
        notes.append(f"{problem}, detected as {detected}")
        return _decode(data, detected, "replace"), notes
    notes.append(f"{problem}, decoded as {WINDOWS_1252}")
    return _decode(data, WINDOWS_1252), notes


@lru_cache(maxsize=256)
def _label(label: str) -> tuple[str, str | None]:
    """(the label cleaned, ``codec_for`` it): looked up once per label, as for every part."""
    clean = _clean(label)
    return clean, codec_for(clean)


@lru_cache(maxsize=256)
def _reads_any_bytes(codec: str) -> bool:
    """Whether every byte string decodes in ``codec`` (latin-1 does): then trying it tells
    nothing."""
    return _try(bytes(range(256)), codec) is not None


def _declared(data: bytes, declared: str, codec: str, notes: list[str]) -> str | None:
    """The text as labelled (read with the label's superset), or None if it does not decode."""
    label_codec = _label_codec(declared)
    if label_codec == "ascii" and not data.isascii():
        # "us-ascii" is many mailers' default label, not a claim about 8-bit bytes: valid
        # UTF-8 is far likelier than windows-1252 (which reads anything, so is not evidence).
        text = _try(data, "utf-8")
        if text is not None:
            notes.append(f"labelled {declared}, decoded as UTF-8")
            return text
    text = _try(data, codec)
    if text is None:
        return None
    if codec == label_codec or (label_codec is not None and _reads_any_bytes(label_codec)):
        return text
    if label_codec is None or _try(data, label_codec) is None:
        notes.append(f"labelled {declared}, decoded as {codec}")
    return text


def detect(data: bytes) -> str | None:
    """The codec charset-normalizer finds for ``data`` among the mail charsets, or None."""
    sample = data
    if len(data) > _DETECT_BYTES:
        cut = data.rfind(b"\n", 0, _DETECT_BYTES)
        sample = data[: cut if cut > 0 else _DETECT_BYTES]
    return _detect(sample) if len(sample) <= _CACHED_BYTES else _detect.__wrapped__(sample)


@lru_cache(maxsize=512)
def _detect(sample: bytes) -> str | None:
    # Imported here, not at the top: it takes longer to import than a mail takes to parse,
    # and most processes never meet a mail that needs it.
    from charset_normalizer import from_bytes

    matches = list(from_bytes(sample, cp_isolation=list(_DETECTABLE)))
    if not matches:
        return None
    least_chaos = min(match.chaos for match in matches)
    tied = [match for match in matches if match.chaos <= least_chaos + _TIE]
    coherence = max(match.coherence for match in tied)
    tied = [match for match in tied if match.coherence >= coherence - _TIE]

    def rank(candidate: tuple[str, str]) -> tuple[bool, int]:
        codec, text = candidate
        return bool(_UNLIKELY.search(text)), _RANK.get(codec, len(_RANK))

    # A match stands for every charset that reads the sample the same way.
    candidates = [(codec, str(match)) for match in tied for codec in match.could_be_from_charset]
    best = min(candidates, key=rank)[0]
    return codec_for(best) or best


# --- RFC 2047 encoded words and RFC 2231 parameters ---------------------------------------

# An encoded word as the stdlib reads one: no white space, no "?" inside the text.
_WORD = re.compile(r"=\?([^?\s*]+)(?:\*[^?\s]*)?\?([bBqQ])\?([^?\s]*)\?=")
_BETWEEN_WORDS = re.compile(r"[ \t]*")
# The charset of an RFC 2231 extended parameter value: name*=charset'lang'value (or *0*=).
_RFC2231_CHARSET = re.compile(r"(\*(?:0\*)?[ \t]*=[ \t]*\"?)([A-Za-z0-9._:+()-]+)(?=')")
_CACHED_CHARS = 2000


def _word_bytes(encoding: str, text: str) -> bytes | None:
    if not text.isascii():
        return None
    if encoding in "qQ":
        return quoprimime.header_decode(text).encode("latin-1")
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None


def _group_words(value: str) -> list[list[re.Match[str]]]:
    """Runs of encoded words with the same label separated only by blanks: RFC 2047 drops
    the blanks, and senders split multi-byte characters across such words."""
    groups: list[list[re.Match[str]]] = []
    for match in _WORD.finditer(value):
        if groups:
            last = groups[-1][-1]
            gap = value[last.end() : match.start()]
            same = last.group(1).lower() == match.group(1).lower()
            if same and _BETWEEN_WORDS.fullmatch(gap):
                groups[-1].append(match)
                continue
        groups.append([match])
    return groups


def _as_stdlib_reads(words: list[bytes], label: str) -> str | None:
    """What the stdlib makes of the words: each decoded alone by its label's codec (an
    unknown label as ASCII, undecodable bytes as surrogates, which it reports itself)."""
    codec = _label_codec(label)
    if codec is None:
        return "".join(word.decode("ascii", "surrogateescape") for word in words)
    try:
        return "".join(word.decode(codec) for word in words)
    except UnicodeDecodeError:
        return None


def encoded_words(value: str) -> tuple[str, tuple[str, ...]]:
    """``value`` with each run of encoded words that this policy reads differently from the
    stdlib rewritten as one UTF-8 word, and the repairs made. A pure function of the text."""
    if "=?" not in value:
        return value, ()
    if len(value) > _CACHED_CHARS:
        return _encoded_words(value)
    return _encoded_words_cached(value)


def _encoded_words(value: str) -> tuple[str, tuple[str, ...]]:
    notes: list[str] = []
    out: list[str] = []
    position = 0
    budget = DetectionBudget(_DETECTIONS_PER_VALUE)
    for group in _group_words(value):
        words = [_word_bytes(m.group(2), m.group(3)) for m in group]
        if any(word is None for word in words):
            continue  # not decodable as a word: the stdlib reports it
        data = [word for word in words if word is not None]
        label = group[0].group(1)
        text, repairs = decode(b"".join(data), label, detection=budget)
        if text == _as_stdlib_reads(data, label):
            continue
        notes.extend(repairs)
        utf8 = base64.b64encode(text.encode("utf-8")).decode("ascii")
        out.append(value[position : group[0].start()])
        out.append(f"=?utf-8?b?{utf8}?=")
        position = group[-1].end()
    if not out:
        return value, tuple(notes)
    out.append(value[position:])
    return "".join(out), tuple(notes)


_encoded_words_cached = lru_cache(maxsize=4096)(_encoded_words)


def _rfc2231_label(match: re.Match[str]) -> str:
    label = match.group(2)
    codec = codec_for(label)
    if codec is None or codec == _label_codec(label):
        return match.group(0)
    return match.group(1) + stdlib_codec(codec)


def for_stdlib(value: str) -> str:
    """A header value for the stdlib's parser, its charset labels read by this policy: the
    encoded words rewritten (``encoded_words``) and RFC 2231 labels replaced by supersets."""
    if "=?" in value:
        value = encoded_words(value)[0]
    if "*" in value and "'" in value:
        value = _RFC2231_CHARSET.sub(_rfc2231_label, value)
    return value


def clear_caches() -> None:
    """Forget cached lookups and detections (benchmarks time a cold start)."""
    for cached in (codec_for, _label, _label_codec, _detect, _encoded_words_cached, _single_byte):
        cached.cache_clear()


# --- the charsets a message declares ------------------------------------------------------

_MAX_HINT_PARTS = 50


class DeclaredCharsets:
    """``declared_charsets(message)``, found when first iterated: most mail never needs it."""

    def __init__(self, message: Message) -> None:
        self._message = message
        self._found: tuple[str, ...] | None = None

    def __iter__(self) -> Iterator[str]:
        if self._found is None:
            self._found = declared_charsets(self._message)
        return iter(self._found)


def declared_charsets(message: Message) -> tuple[str, ...]:
    """Codecs for the charsets the message's parts declare, for reading its raw header bytes:
    neither UTF-8 (always tried first) nor ASCII, 7-bit ones replaced by their 8-bit
    siblings."""
    found: dict[str, None] = {}
    try:
        for count, part in enumerate(message.walk()):
            if count >= _MAX_HINT_PARTS:
                break
            charset = part.get_content_charset()
            if not charset or _label_codec(charset) == "ascii":
                continue  # a default label, not a choice of charset
            codec = codec_for(charset)
            if codec is None or codec == "utf-8":
                continue
            for name in _EIGHT_BIT_SIBLINGS.get(codec, (codec,)):
                found.setdefault(name, None)
    except Exception:  # noqa: BLE001 - a part too broken to read declares nothing
        pass
    return tuple(found)


@lru_cache(maxsize=64)
def _single_byte(codec: str) -> bool:
    """Whether ``codec`` reads one character per byte (then a strict read is no evidence)."""
    try:
        return len(_decode(bytes(range(0x80, 0x100)), codec, "replace")) == 128
    except LookupError:
        return False
