"""Reading a policy file into a ``Policy``, with one readable line when it cannot be used.

Every way a file can be wrong ends in a ``PolicyError`` whose message names the file, the line
(where the key is written) and the dotted key, so the operator can go straight to it::

    operant.toml:31: response.classes.general.target.business_days: must be a whole number
        from 0 to 366, got "one"      (one line in reality; wrapped here)
    operant.toml: allowance.minutes_per_month: missing

When a file has several problems the one written first is reported: fixing files top to bottom
is how people work, and one message keeps the CLI's one-line contract.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import threading
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

from django.conf import settings
from pydantic import BaseModel, ValidationError

from operant.calendar import CalendarError, parse_calendar
from operant.policy.classes import RequestClass
from operant.policy.locate import dotted, line_of, split_dotted
from operant.policy.schema import (
    DAYS_TAG,
    HOURS_TAG,
    BusinessDaysRule,
    BusinessHoursRule,
    Policy,
    PolicyError,
    shown,
)

__all__ = ["PolicyError", "current_policy", "load_policy", "parse_policy"]

_TAGS: dict[str, type[BaseModel]] = {DAYS_TAG: BusinessDaysRule, HOURS_TAG: BusinessHoursRule}
_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")


@dataclass(frozen=True)
class _Problem:
    path: tuple[str | int, ...]
    message: str
    line: int | None
    order: int


def parse_policy(text: str, source: str) -> Policy:
    """Validate policy ``text`` (named ``source`` in messages) and return the ``Policy``.

    1. Parse the TOML (syntax errors keep tomllib's line).
    2. Hand ``[calendar]`` to the calendar module, which owns that table's format.
    3. Validate every other table against the schema.
    4. Report the first problem in file order, or attach the calendar, text and sha256.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _syntax_error(exc, source) from None

    problems: list[_Problem] = []
    calendar_table = data.pop("calendar", None)
    calendar = None
    if calendar_table is None:
        problems.append(_Problem(("calendar",), "missing", None, 0))
    elif not isinstance(calendar_table, dict):
        problems.append(
            _problem(text, ("calendar",), f"must be a table, got {shown(calendar_table)}", 0)
        )
    else:
        try:
            calendar = parse_calendar(calendar_table)
        except CalendarError as exc:
            problems.append(_calendar_problem(text, exc))

    policy: Policy | None = None
    try:
        policy = Policy.model_validate(data)
    except ValidationError as exc:
        for order, error in enumerate(exc.errors(include_url=False), start=1):
            problems.append(_pydantic_problem(text, error, order))

    if problems or policy is None:
        first = min(problems, key=lambda p: (p.line is None, p.line or 0, p.order))
        key = dotted(first.path)
        where = f"{source}:{first.line}" if first.line else source
        raise PolicyError(
            f"{where}: {key}: {first.message}", source=source, line=first.line, key=key
        )

    # Private attributes are outside pydantic's frozen check: they are set once, here.
    policy._calendar = calendar
    policy._calendar_table = calendar_table
    policy._text = text
    policy._source = source
    policy._sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return policy


def load_policy(path: str | Path) -> Policy:
    """Read and validate the policy file at ``path`` (named as given in messages)."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")  # tolerate an editor's BOM
    except FileNotFoundError:
        raise PolicyError(f"{source}: no such policy file", source=source) from None
    except UnicodeDecodeError:
        raise PolicyError(f"{source}: not UTF-8 text", source=source) from None
    except OSError as exc:
        raise PolicyError(f"{source}: cannot read: {exc.strerror}", source=source) from None
    return parse_policy(text, source)


_cache_lock = threading.Lock()
_cache: dict[str, tuple[tuple[int, int], Policy]] = {}


def current_policy() -> Policy:
    """The configured policy (``settings.OPERANT_POLICY``), re-read when the file changes.

    Keyed by path, mtime and size, so an edited file is picked up by every process without a
    restart, and an unchanged one costs a ``stat``.
    """
    source = str(settings.OPERANT_POLICY)
    try:
        stat = Path(source).stat()
    except OSError:
        return load_policy(source)  # raises the readable "no such file" / "cannot read"
    stamp = (stat.st_mtime_ns, stat.st_size)
    with _cache_lock:
        cached = _cache.get(source)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    policy = load_policy(source)
    with _cache_lock:
        _cache[source] = (stamp, policy)
    return policy


# -- turning errors into problems ---------------------------------------------------------------


def _syntax_error(exc: tomllib.TOMLDecodeError, source: str) -> PolicyError:
    message = str(exc)
    match = _TOML_POSITION.search(message)
    if match is None:
        return PolicyError(f"{source}: TOML syntax error: {message}", source=source)
    line = int(match[1])
    detail = message[: match.start()]
    return PolicyError(
        f"{source}:{line}: TOML syntax error: {detail} (column {match[2]})",
        source=source,
        line=line,
    )


def _problem(text: str, path: tuple[str | int, ...], message: str, order: int) -> _Problem:
    return _Problem(path, message, line_of(text, path), order)


def _calendar_problem(text: str, exc: CalendarError) -> _Problem:
    # `path` keeps a list index (calendar.hours.mon[1]) that `key` drops; prefer the precise one.
    key = str(getattr(exc, "path", None) or getattr(exc, "key", None) or "calendar")
    path = split_dotted(key)
    if path[:1] != ("calendar",):
        path = ("calendar", *path)
    message = getattr(exc, "problem", None) or str(exc)
    # Older messages start with the key; we name it once, in our own format.
    for prefix in (f"{key}: ", f"calendar.{key}: "):
        if message.startswith(prefix):
            message = message[len(prefix) :]
    return _problem(text, path, message, 0)


def _pydantic_problem(text: str, error: Any, order: int) -> _Problem:
    kind = error["type"]
    # Discriminator tags are an implementation detail of rule tables, not keys in the file.
    path = tuple(p for p in error["loc"] if not (isinstance(p, str) and p.startswith("<")))
    given = error.get("input")
    if kind == "missing":
        return _Problem(path, "missing", line_of(text, path, exact=True), order)
    if kind == "extra_forbidden":
        message = _unknown_key_message(error["loc"])
    elif kind in {"model_type", "dict_type", "model_attributes_type"}:
        message = f"must be a table, got {shown(given)}"
    elif kind in {"tuple_type", "list_type"}:
        message = f"must be a list of tables ([[{path[-1] if path else ''}]]), got {shown(given)}"
    elif kind == "policy":
        message = error["msg"]
    else:  # a pydantic message we did not anticipate: still one line, still names the value
        message = f"{error['msg'][:1].lower()}{error['msg'][1:]}, got {shown(given)}"
    return _problem(text, path, message, order)


def _unknown_key_message(loc: tuple[Any, ...]) -> str:
    parent = tuple(p for p in loc[:-1] if not (isinstance(p, str) and p.startswith("<")))
    if parent == ("response", "classes"):
        names = ", ".join(c.value for c in RequestClass)
        return f"unknown request class; known classes: {names}"
    known = _known_keys(loc[:-1])
    hint = difflib.get_close_matches(str(loc[-1]), known, n=1) if known else []
    if hint:
        return f'unknown key (did you mean "{hint[0]}"?)'
    if known:
        return f"unknown key; expected one of: {', '.join(known)}"
    return "unknown key"


def _known_keys(loc: tuple[Any, ...]) -> list[str]:
    """The keys the schema accepts at ``loc``, for "did you mean" hints."""
    model: type[BaseModel] | None = Policy
    for part in loc:
        if isinstance(part, str) and part in _TAGS:
            model = _TAGS[part]
        elif isinstance(part, int) or model is None:
            continue
        else:
            fields = {(f.alias or name): f for name, f in model.model_fields.items()}
            field = fields.get(part)
            model = _inner_model(field.annotation) if field else None
    if model is None:
        return []
    return [(f.alias or name) for name, f in model.model_fields.items()]


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    for candidate in (annotation, *get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None
