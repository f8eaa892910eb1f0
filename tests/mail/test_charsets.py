"""Right characters: charset labels read as their supersets, raw 8-bit headers, bad bytes in
UTF-8, undeclared and lying charsets, and transfer encodings written loosely."""

# The examples are Russian, Chinese and Japanese text, whose letters and punctuation ruff
# takes for look-alikes of Latin ones.
# ruff: noqa: RUF001

from __future__ import annotations

import base64
from email import quoprimime
from functools import cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from operant.mail import charsets, iso2022jp
from operant.mail.parse import Address, parse_message
from tests.mail.helpers import build, with_header


def _b_word(text: str, codec: str, label: str) -> str:
    return f"=?{label}?B?{base64.b64encode(text.encode(codec)).decode()}?="


def _message(
    body: bytes,
    *,
    content_type: str = "text/plain",
    encoding: str = "8bit",
    subject: bytes = b"Question",
    sender: bytes = b"Jane <jane@clinic.example>",
) -> bytes:
    return (
        b"From: " + sender + b"\nTo: support@operant.test\nSubject: " + subject + b"\n"
        b"Message-ID: <cs-1@clinic.example>\nDate: Mon, 3 Mar 2025 10:00:00 +0000\n"
        b"MIME-Version: 1.0\nContent-Type: " + content_type.encode() + b"\n"
        b"Content-Transfer-Encoding: " + encoding.encode() + b"\n\n" + body
    )


# --- labels are minimums ------------------------------------------------------------------


def test_a_gb2312_subject_holding_gbk_characters_reads_as_gb18030() -> None:
    subject = _b_word("关于朱镕基的报告", "gbk", "GB2312")
    raw = with_header(build(), "Subject", subject)

    parsed = parse_message(raw)

    assert parsed.subject == "关于朱镕基的报告"
    assert parsed.problems == ["Subject header: labelled gb2312, decoded as gb18030"]


def test_a_gb2312_subject_within_gb2312_is_no_problem() -> None:
    raw = with_header(build(), "Subject", _b_word("测试邮件", "gb2312", "gb2312"))

    parsed = parse_message(raw)

    assert parsed.subject == "测试邮件"
    assert parsed.problems == []


def test_a_display_name_labelled_gb2312_reads_as_gb18030() -> None:
    name = _b_word("我們的客服", "gb18030", "gb2312")
    raw = with_header(build(), "From", f"{name} <kefu@shop.example>")

    parsed = parse_message(raw)

    assert parsed.from_ == Address("kefu@shop.example", "我們的客服")
    assert "From header: labelled gb2312, decoded as gb18030" in parsed.problems


def test_an_attachment_name_labelled_gb2312_reads_as_gb18030() -> None:
    name = _b_word("我們的報價.pdf", "gb18030", "gb2312")
    raw = _message(
        b"--b\nContent-Type: text/plain\n\nsee attached\n"
        b"--b\nContent-Type: application/pdf\nContent-Transfer-Encoding: base64\n"
        b'Content-Disposition: attachment; filename="' + name.encode() + b'"\n\nJVBERg==\n--b--\n',
        content_type='multipart/mixed; boundary="b"',
    )

    parsed = parse_message(raw)

    assert [a.filename for a in parsed.attachments] == ["我們的報價.pdf"]


def test_an_rfc2231_attachment_name_labelled_gb2312_reads_as_gb18030() -> None:
    quoted = "".join(f"%{b:02X}" for b in "我們.pdf".encode("gb18030"))
    raw = _message(
        b"--b\nContent-Type: text/plain\n\nsee attached\n"
        b"--b\nContent-Type: application/pdf\nContent-Transfer-Encoding: base64\n"
        b"Content-Disposition: attachment; filename*=gb2312''" + quoted.encode() + b"\n\n"
        b"JVBERg==\n--b--\n",
        content_type='multipart/mixed; boundary="b"',
    )

    parsed = parse_message(raw)

    assert [a.filename for a in parsed.attachments] == ["我們.pdf"]


@pytest.mark.parametrize(
    ("text", "codec", "label", "superset"),
    [
        ("朱镕基来信", "gbk", "gb2312", "gb18030"),
        ("①番の件、㈱テスト", "cp932", "shift_jis", "cp932"),
        ("똠방각하 문의", "cp949", "euc-kr", "cp949"),
    ],
)
def test_a_body_labelled_with_a_subset_reads_as_its_superset(
    text: str, codec: str, label: str, superset: str
) -> None:
    raw = _message(text.encode(codec), content_type=f"text/plain; charset={label}")

    parsed = parse_message(raw)

    assert parsed.text == text
    assert parsed.problems == [f"text/plain part: labelled {label}, decoded as {superset}"]


def test_latin1_labelled_text_with_windows_quotes_reads_as_windows_1252_silently() -> None:
    raw = _message(b"\x93Caf\xe9\x94 \x96 open at 7\x85", content_type="text/plain; charset=latin1")

    parsed = parse_message(raw)

    assert parsed.text == "\u201ccafé\u201d \u2013 open at 7\u2026".replace("c", "C", 1)
    assert parsed.problems == []


def test_a_latin1_subject_word_with_windows_quotes_reads_as_windows_1252() -> None:
    raw = with_header(build(), "Subject", "=?iso-8859-1?Q?=93Caf=E9=94?=")

    parsed = parse_message(raw)

    assert parsed.subject == "\u201cCafé\u201d"
    assert parsed.problems == []


def test_us_ascii_labelled_utf8_reads_as_utf8_and_says_so() -> None:
    raw = _message("Grüße aus Köln".encode(), content_type="text/plain; charset=us-ascii")

    parsed = parse_message(raw)

    assert parsed.text == "Grüße aus Köln"
    assert parsed.problems == ["text/plain part: labelled us-ascii, decoded as UTF-8"]


# --- ISO-2022-JP and its Windows extensions -----------------------------------------------


def _jis(sjis: bytes) -> bytes:
    """The ISO-2022-JP two-byte code of one Shift_JIS character (the inverse mapping)."""
    lead, trail = sjis
    lead -= 0x40 if lead >= 0xE0 else 0
    first = (lead - 0x70) * 2 - (1 if trail < 0x9F else 0)
    second = trail - (0x1F if trail < 0x7F else 0x20) if trail < 0x9F else trail - 0x7E
    return bytes((first, second))


def test_iso_2022_jp_with_nec_characters_and_half_width_katakana_reads_fully() -> None:
    nec = b"".join(_jis(ch.encode("cp932")) for ch in "①㈱")
    body = b"\x1b$B" + nec + b"\x1b(B and \x1b(I1\x1b(B\n"

    parsed = parse_message(_message(body, content_type="text/plain; charset=iso-2022-jp"))

    assert parsed.text == "①㈱ and ｱ"
    assert parsed.problems == ["text/plain part: labelled iso-2022-jp, decoded as cp50221"]


def test_iso_2022_jp_subject_with_nec_characters_reads_fully() -> None:
    word = base64.b64encode(b"\x1b$B" + _jis("②".encode("cp932")) + b"\x1b(B").decode()
    raw = with_header(build(), "Subject", f"=?ISO-2022-JP?B?{word}?=")

    parsed = parse_message(raw)

    assert parsed.subject == "②"
    assert parsed.problems == ["Subject header: labelled iso-2022-jp, decoded as cp50221"]


def test_plain_iso_2022_jp_is_no_problem() -> None:
    raw = _message(
        "ツールが動きません".encode("iso2022_jp"), content_type="text/plain; charset=ISO-2022-JP"
    )

    parsed = parse_message(raw)

    assert parsed.text == "ツールが動きません"
    assert parsed.problems == []


@pytest.mark.parametrize(
    ("data", "text"),
    [
        (b"a\x0e12\x0fb", "aｱｲb"),  # CP50222: SO/SI around half-width katakana
        (b"\x1b(J\\~\x1b(B", "\u00a5\u203e"),  # JIS-Roman
        (b"\x1b$(D\x22\x2f\x1b(B", "\u02d8"),  # JIS X 0212
        (b"\x1b$(C0!\x1b(B", "가"),  # ISO-2022-JP-2's Korean
        (b"\x1b$B-!\x1b(B\n\x1b$B4A\x1b(B", "①\n漢"),
    ],
)
def test_the_iso_2022_jp_decoder_reads_each_set(data: bytes, text: str) -> None:
    assert iso2022jp.decode(data) == text


def test_the_iso_2022_jp_decoder_refuses_8_bit_bytes_unless_asked_to_replace() -> None:
    with pytest.raises(UnicodeDecodeError):
        iso2022jp.decode(b"\x1b$B\xff\xfe\x1b(B")
    assert iso2022jp.decode(b"\x1b$B\xff\xfe\x1b(B", "replace") == "\ufffd"


# --- raw 8-bit headers --------------------------------------------------------------------


def test_a_raw_shift_jis_subject_reads_in_the_charset_the_body_declares() -> None:
    raw = _message(
        "本文です".encode("cp932"),
        content_type="text/plain; charset=shift_jis",
        subject="ツール".encode("cp932"),
    )

    parsed = parse_message(raw)

    assert parsed.subject == "ツール"
    assert parsed.problems == [
        "Subject header: 8-bit bytes that are not UTF-8, decoded as cp932 "
        "(declared elsewhere in the message)"
    ]


@pytest.mark.parametrize(
    ("body", "charset", "subject"),
    [
        # The body's charset has a cp932 neighbour (ISO-2022-JP's 8-bit forms) to try.
        ("本文です", "iso-2022-jp", "ツール"),
        # The body's charset is single-byte: it reads anything, so the detector decides.
        ("Grüße", "iso-8859-1", "テスト"),
    ],
)
def test_a_raw_shift_jis_subject_reads_as_cp932_whatever_the_body_declares(
    body: str, charset: str, subject: str
) -> None:
    codec = "iso2022_jp" if charset == "iso-2022-jp" else "latin-1"
    raw = _message(
        body.encode(codec),
        content_type=f"text/plain; charset={charset}",
        subject=subject.encode("cp932"),
    )

    parsed = parse_message(raw)

    assert parsed.subject == subject
    assert parsed.text == body


def test_a_raw_latin1_subject_reads_in_the_latin1_the_body_declares() -> None:
    raw = _message(
        "Grüße".encode("latin-1"),
        content_type="text/plain; charset=iso-8859-1",
        subject="Adiós señor".encode("latin-1"),
    )

    parsed = parse_message(raw)

    assert parsed.subject == "Adiós señor"
    assert parsed.problems == [
        "Subject header: 8-bit bytes that are not UTF-8, decoded as windows-1252 "
        "(declared elsewhere in the message)"
    ]


def test_a_raw_shift_jis_subject_is_detected_when_nothing_is_declared() -> None:
    raw = _message(b"plain ascii", subject="ツール".encode("cp932"))

    parsed = parse_message(raw)

    assert parsed.subject == "ツール"
    assert parsed.problems == ["Subject header: 8-bit bytes that are not UTF-8, detected as cp932"]


def test_a_raw_gbk_display_name_reads_in_the_declared_charset() -> None:
    raw = _message(
        "你好".encode("gbk"),
        content_type="text/plain; charset=gbk",
        sender="客服中心".encode("gbk") + b" <kefu@shop.example>",
    )

    parsed = parse_message(raw)

    assert parsed.from_ == Address("kefu@shop.example", "客服中心")
    assert parsed.text == "你好"


def test_raw_utf8_headers_need_no_hints_and_no_problem() -> None:
    raw = _message("テスト".encode("cp932"), content_type="text/plain; charset=shift_jis")
    raw = with_header(raw, "Subject", "ツール")

    parsed = parse_message(raw)

    assert parsed.subject == "ツール"
    assert parsed.problems == []


# --- UTF-8 with bad bytes -----------------------------------------------------------------


@pytest.mark.parametrize("content_type", ["text/plain; charset=utf-8", "text/plain"])
def test_utf8_with_one_stray_byte_stays_utf8_with_one_replacement(content_type: str) -> None:
    raw = _message(
        "Grüße aus Köln".encode().replace(b" aus", b" \x96aus"), content_type=content_type
    )

    parsed = parse_message(raw)

    assert parsed.text == "Grüße \ufffdaus Köln"
    [problem] = parsed.problems
    assert "1 bad byte sequence(s) replaced" in problem


def test_utf8_cut_inside_a_character_keeps_the_rest() -> None:
    data = ("Grüße - bis morgen, " * 20).encode() + "ö".encode()[:1]

    parsed = parse_message(_message(data, content_type="text/plain; charset=utf-8"))

    assert parsed.text.startswith("Grüße - bis morgen")
    assert parsed.text.endswith("\ufffd")


def test_utf8_subject_word_with_a_stray_byte_keeps_its_utf8() -> None:
    data = "Grüße aus Köln".encode().replace(b" aus", b" \x96aus")
    raw = with_header(build(), "Subject", f"=?utf-8?B?{base64.b64encode(data).decode()}?=")

    parsed = parse_message(raw)

    assert parsed.subject == "Grüße \ufffdaus Köln"
    assert any("1 bad byte sequence(s) replaced" in p for p in parsed.problems)


def test_an_encoded_word_split_inside_a_character_reads_whole() -> None:
    data = "Grüße".encode()
    first, second = base64.b64encode(data[:3]).decode(), base64.b64encode(data[3:]).decode()
    raw = with_header(build(), "Subject", f"=?utf-8?B?{first}?= =?utf-8?B?{second}?=")

    parsed = parse_message(raw)

    assert parsed.subject == "Grüße"
    assert parsed.problems == []


# --- undeclared and lying charsets --------------------------------------------------------

_RUSSIAN = "Здравствуйте, напоминания о записи не приходят с понедельника."


def test_an_undeclared_charset_is_detected() -> None:
    parsed = parse_message(_message(_RUSSIAN.encode("cp1251")))

    assert parsed.text == _RUSSIAN
    assert parsed.problems == ["text/plain part: no charset and not UTF-8, detected as cp1251"]


def test_undeclared_shift_jis_is_detected() -> None:
    text = "ツールが動きません。至急対応をお願いします。"

    parsed = parse_message(_message(text.encode("cp932")))

    assert parsed.text == text


def test_a_declared_charset_that_does_not_decode_is_detected() -> None:
    raw = _message(_RUSSIAN.encode("koi8-r"), content_type="text/plain; charset=utf-8")

    parsed = parse_message(raw)

    assert parsed.text == _RUSSIAN
    assert parsed.problems == ["text/plain part: not valid utf-8, detected as koi8-r"]


def test_a_declared_charset_that_does_not_decode_but_is_utf8_is_utf8() -> None:
    raw = _message("您好，邮件".encode(), content_type="text/plain; charset=big5")

    parsed = parse_message(raw)

    assert parsed.text == "您好，邮件"
    assert parsed.problems == ["text/plain part: not valid big5, decoded as UTF-8"]


def test_undeclared_utf8_and_ascii_are_no_problem() -> None:
    assert parse_message(_message("Grüße".encode())).problems == []
    assert parse_message(_message(b"Hello")).problems == []


def test_detection_prefers_windows_1252_among_equally_good_western_charsets() -> None:
    assert charsets.detect("Adiós señor".encode("latin-1")) == charsets.WINDOWS_1252
    assert charsets.detect("It\x92s broken".encode("latin-1")) == charsets.WINDOWS_1252


def test_detection_does_not_take_big5_for_half_width_katakana() -> None:
    assert charsets.detect("您好，我們的系統無法發送簡訊".encode("big5")) == "big5"


# --- transfer encodings -------------------------------------------------------------------


@pytest.mark.parametrize(
    "written", ["Quoted-Printable ", '"quoted-printable"', "quoted-printable; x", "QP-Junk"]
)
def test_quoted_printable_is_decoded_however_it_is_written(written: str) -> None:
    raw = _message(b"Gr=C3=BC=C3=9Fe aus K=C3=B6ln=\n, bis bald", encoding=written)
    raw = raw.replace(b"Content-Type: text/plain", b"Content-Type: text/plain; charset=utf-8")

    parsed = parse_message(raw)

    if written == "QP-Junk":  # not a spelling of quoted-printable: left as sent
        assert "=C3=BC" in parsed.text
        return
    assert parsed.text == "Grüße aus Köln, bis bald"
    assert parsed.problems == [f"Content-Transfer-Encoding {written!r} read as quoted-printable"]


@pytest.mark.parametrize("written", ["base64 ", "'base64'", "Base-64", "base64; x"])
def test_base64_is_decoded_however_it_is_written(written: str) -> None:
    data = base64.b64encode("Grüße aus Köln".encode())
    raw = _message(data + b"\n", content_type="text/plain; charset=utf-8", encoding=written)

    parsed = parse_message(raw)

    assert parsed.text == "Grüße aus Köln"
    assert parsed.problems == [f"Content-Transfer-Encoding {written!r} read as base64"]


def test_an_exact_quoted_printable_is_no_problem() -> None:
    raw = _message(b"Gr=C3=BC=C3=9Fe", encoding="QUOTED-PRINTABLE")
    raw = raw.replace(b"Content-Type: text/plain", b"Content-Type: text/plain; charset=utf-8")

    parsed = parse_message(raw)

    assert parsed.text == "Grüße"
    assert parsed.problems == []


# --- the property: text in a superset, labelled with its subset, reads back the same --------

# (label, the superset's Python encoder). us-ascii is left out on purpose: its 8-bit bytes
# are read as UTF-8 first when they are valid UTF-8 (``charsets._declared``).
_SUPERSET_ENCODERS = [
    ("gb2312", "gb18030"),
    ("gbk", "gb18030"),
    ("shift_jis", "cp932"),
    ("euc-kr", "cp949"),
    ("iso-2022-jp", "iso2022_jp_2"),
    ("iso-2022-jp", "iso2022_jp_ext"),
    ("iso-8859-1", "cp1252"),
    ("iso-8859-9", "cp1254"),
    ("tis-620", "cp874"),
]


@cache
def _alphabet(codec: str) -> list[str]:
    """Printable, non-space characters the codec encodes and reads back as themselves (some
    encoders also take look-alikes one way: cp932 writes U+2016 as the code of U+2225)."""
    found = []
    for point in range(0x21, 0x10000):
        char = chr(point)
        if not char.isprintable() or char.isspace() or 0xD800 <= point <= 0xDFFF:
            continue
        try:
            if char.encode(codec).decode(codec) == char:
                found.append(char)
        except UnicodeError:
            continue
    return found


@cache
def _words(codec: str) -> st.SearchStrategy[str]:
    # Built once per codec: hypothesis takes long to prepare a strategy over a big alphabet.
    return st.lists(st.sampled_from(_alphabet(codec)), min_size=1, max_size=8).map("".join)


@st.composite
def _superset_texts(draw: st.DrawFn) -> tuple[str, str, str]:
    label, codec = draw(st.sampled_from(_SUPERSET_ENCODERS))
    text = " ".join(draw(st.lists(_words(codec), min_size=1, max_size=4)))
    return label, codec, text


PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(_superset_texts())
def test_superset_text_labelled_with_its_subset_reads_back_in_a_body(
    case: tuple[str, str, str],
) -> None:
    label, codec, text = case
    body = base64.encodebytes(text.encode(codec))
    raw = _message(body, content_type=f"text/plain; charset={label}", encoding="base64")

    assert parse_message(raw).text == text


@PROPERTY
@given(_superset_texts(), st.sampled_from("BQ"))
def test_superset_text_labelled_with_its_subset_reads_back_in_an_encoded_word(
    case: tuple[str, str, str], encoding: str
) -> None:
    label, codec, text = case
    data = text.encode(codec)
    if encoding == "B":
        word = f"=?{label}?B?{base64.b64encode(data).decode()}?="
    else:
        word = quoprimime.header_encode(data, charset=label)
    raw = with_header(build(), "Subject", word)

    assert parse_message(raw).subject == text


def test_detection_is_bounded_per_message() -> None:
    part = b"--b\nContent-Type: text/plain\n\n" + _RUSSIAN.encode("cp1251") + b"\n"
    parts = charsets.DETECTIONS_PER_MESSAGE + 2
    raw = _message(part * parts + b"--b--\n", content_type='multipart/mixed; boundary="b"')

    parsed = parse_message(raw)

    assert parsed.text.split("\n").count(_RUSSIAN) == charsets.DETECTIONS_PER_MESSAGE
    assert parsed.problems == [
        "text/plain part: no charset and not UTF-8, detected as cp1251",
        "text/plain part: no charset and not UTF-8, decoded as windows-1252",
    ]
