"""Recording the policy version every decision points at."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.db.models import QuerySet
from django.test import override_settings

from operant.policy.loader import load_policy
from operant.policy.models import PolicyVersion
from operant.policy.schema import Policy
from operant.policy.services import policy_version_current, policy_version_record

pytestmark = pytest.mark.django_db


def test_recording_a_policy_twice_keeps_one_row(shipped: Policy) -> None:
    first = policy_version_record(policy=shipped)
    again = policy_version_record(policy=shipped)
    assert first.pk == again.pk
    assert PolicyVersion.objects.filter(sha256=shipped.sha256).count() == 1
    assert (first.version, first.effective, first.text) == (
        "2026-03-13",
        shipped.effective,
        shipped.text,
    )


def test_an_edit_without_a_new_version_string_is_still_a_new_row(
    shipped: Policy, policy_file: Callable[..., Path]
) -> None:
    edited = load_policy(policy_file(("grace_days = 7", "grace_days = 10")))
    assert edited.version == shipped.version
    a = policy_version_record(policy=shipped)
    b = policy_version_record(policy=edited)
    assert a.pk != b.pk
    assert b.sha256 == edited.sha256


def test_a_concurrent_insert_is_read_back_instead_of_failing(
    shipped: Policy, monkeypatch: pytest.MonkeyPatch
) -> None:
    winner = policy_version_record(policy=shipped)
    # Make this caller miss the row on its first look, as if another process inserted it
    # between our read and our write: the unique constraint must turn that into a re-read.
    monkeypatch.setattr(QuerySet, "first", lambda self: None)
    loser = policy_version_record(policy=shipped)
    assert loser.pk == winner.pk
    assert PolicyVersion.objects.count() == 1


def test_the_current_version_is_recorded_lazily(policy_file: Callable[..., Path]) -> None:
    path = policy_file(('version = "2026-03-13"', 'version = "2026-10-01"'))
    with override_settings(OPERANT_POLICY=str(path)):
        assert not PolicyVersion.objects.filter(version="2026-10-01").exists()
        recorded = policy_version_current()
        assert recorded.version == "2026-10-01"
        assert policy_version_current().pk == recorded.pk
