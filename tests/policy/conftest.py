"""Policy test fixtures: the shipped file's text and copies of it with one term changed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings

from operant.policy.loader import load_policy, parse_policy
from operant.policy.schema import Policy

SHIPPED = Path(settings.SHIPPED_POLICY)


@pytest.fixture(scope="session")
def shipped_text() -> str:
    return SHIPPED.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def shipped(shipped_text: str) -> Policy:
    return parse_policy(shipped_text, "operant.toml")


def edit(text: str, old: str, new: str) -> str:
    """``text`` with the one occurrence of ``old`` replaced: a test edit must hit its target."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in the policy"
    return text.replace(old, new)


@pytest.fixture
def policy_file(tmp_path: Path, shipped_text: str) -> Callable[..., Path]:
    """``policy_file(("old", "new"), ...)`` writes an edited copy of the shipped file."""

    def write(*edits: tuple[str, str], name: str = "operant.toml") -> Path:
        text = shipped_text
        for old, new in edits:
            text = edit(text, old, new)
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def edited_policy(policy_file: Callable[..., Path]) -> Callable[..., Policy]:
    def load(*edits: tuple[str, str]) -> Policy:
        return load_policy(policy_file(*edits))

    return load
