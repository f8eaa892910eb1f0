"""The line locator behind "operant.toml:31: key: problem" messages."""

from __future__ import annotations

import pytest

from operant.policy.locate import dotted, key_lines, line_of, split_dotted

DOC = '''\
# a comment with [brackets] and key = "value"
title = "x"   # trailing comment
[a]
b = 1
hours.mon = ["09:00-17:00",
  "18:00-19:00"]
"quoted key" = 2
text = """
multi-line [not.a.table]
x = "not a key"
"""

[a.inner]
rule = { days = 1, cutoff = "15:00" }

[[items]]
key = "first"

[[items]]
key = "second"
nested = { deep = { value = 3 } }
list = [{ k = 1 }, { k = 2 }]

[[items]]
key = "third"

[items.sub]
name = "sub of third"
'''


@pytest.mark.parametrize(
    ("path", "line"),
    [
        (("title",), 2),
        (("a",), 3),
        (("a", "b"), 4),
        (("a", "hours"), 5),
        (("a", "hours", "mon"), 5),
        (("a", "hours", "mon", 1), 6),
        (("a", "quoted key"), 7),
        (("a", "text"), 8),
        (("a", "inner"), 13),
        (("a", "inner", "rule", "cutoff"), 14),
        (("items",), 16),
        (("items", 0), 16),
        (("items", 0, "key"), 17),
        (("items", 1), 19),
        (("items", 1, "key"), 20),
        (("items", 1, "nested", "deep", "value"), 21),
        (("items", 1, "list", 1, "k"), 22),
        (("items", 2, "key"), 25),
        (("items", 2, "sub", "name"), 28),
    ],
)
def test_it_finds_the_line_of_every_kind_of_key(path: tuple, line: int) -> None:
    assert key_lines(DOC)[path] == line


def test_it_ignores_keys_and_tables_inside_strings_and_comments() -> None:
    lines = key_lines(DOC)
    assert ("not", "a", "table") not in lines
    assert ("a", "x") not in lines
    assert ("key",) not in lines


def test_it_falls_back_to_the_nearest_written_parent() -> None:
    assert line_of(DOC, ("a", "inner", "rule", "business_days")) == 14


def test_an_exact_lookup_of_an_unwritten_key_has_no_line() -> None:
    assert line_of(DOC, ("a", "missing"), exact=True) is None


def test_dotted_keys_round_trip_with_list_indexes() -> None:
    assert dotted(("out_of_scope", 2, "key")) == "out_of_scope[2].key"
    assert split_dotted("calendar.hours.mon[1]") == ("calendar", "hours", "mon", 1)
    assert split_dotted(dotted(("a", 0, "b", 3))) == ("a", 0, "b", 3)
