"""operant.core.rows: one row read by a statement built once gives what the ORM gives."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from operant.core.bulk import bulk_insert
from operant.core.rows import instance_get, values_where
from operant.notify.models import Notification

pytestmark = pytest.mark.django_db

AT = datetime(2026, 12, 1, 10, 30, 15, 123456, tzinfo=ZoneInfo("America/New_York"))
FIELDS = ("subject", "headers", "to", "due_at", "sent_at", "attempts", "dedupe_key", "created_at")


def _stored() -> Notification:
    note = Notification(
        kind="test.rows",
        to=["ann@example.com"],
        subject="Ünïcode ✓",
        body_text="not read",
        headers={"nested": {"ok": True}},
        message_id="<rows@test>",
        created_at=AT,
        due_at=AT,
        attempts=2,
    )
    bulk_insert(Notification, [note])
    return note


@pytest.mark.parametrize("for_update", [False, True])
def test_the_fields_read_are_the_orms_values_and_the_rest_deferred(
    for_update: bool, django_assert_num_queries
) -> None:
    note = _stored()
    with django_assert_num_queries(1):
        loaded = instance_get(
            Notification, FIELDS, by="message_id", value="<rows@test>", for_update=for_update
        )
    assert loaded is not None
    orm = Notification.objects.get(pk=note.pk)
    assert loaded.pk == note.pk
    for name in FIELDS:  # aware datetimes, JSON decoded, NULLs as None
        assert getattr(loaded, name) == getattr(orm, name), name
    assert loaded.due_at.utcoffset() is not None
    assert loaded.get_deferred_fields() >= {"body_text", "kind", "message_id"}
    assert not loaded._state.adding
    with django_assert_num_queries(1):  # a deferred field loads on first use, as with only()
        assert loaded.body_text == "not read"


def test_no_row_is_none_and_a_key_must_be_unique() -> None:
    _stored()
    assert instance_get(Notification, FIELDS, by="message_id", value="<other@test>") is None
    assert instance_get(Notification, FIELDS, by="pk", value=10**9) is None
    with pytest.raises(ValueError, match="not unique"):
        instance_get(Notification, FIELDS, by="kind", value="test.rows")


def _notes(count: int) -> list[Notification]:
    notes = [
        Notification(
            kind="test.where",
            to=[f"n{n}@example.com"],
            subject=f"note {n}",
            body_text="",
            headers={},
            message_id=f"<where{n}@test>",
            created_at=AT,
            due_at=AT + timedelta(minutes=n),
            attempts=n,
        )
        for n in range(count)
    ]
    bulk_insert(Notification, notes)
    return notes


def test_values_where_gives_what_values_list_gives(django_assert_num_queries) -> None:
    _notes(5)
    since, until = AT + timedelta(minutes=1), AT + timedelta(minutes=3)
    with django_assert_num_queries(1):
        rows = values_where(
            Notification,
            ("subject", "due_at", "to"),
            [("kind", "=", "test.where"), ("due_at", ">=", since), ("due_at", "<=", until)],
        )
    orm = Notification.objects.filter(
        kind="test.where", due_at__gte=since, due_at__lte=until
    ).values_list("subject", "due_at", "to")
    assert sorted(map(tuple, rows)) == sorted(orm)  # aware datetimes and decoded JSON alike
    assert len(rows) == 3


def test_values_where_takes_in_lists_a_limit_and_strict_comparisons() -> None:
    _notes(6)
    rows = values_where(
        Notification, ("attempts",), [("attempts", "in", [1, 4, 5, 99]), ("attempts", "<", 5)]
    )
    assert sorted(attempts for (attempts,) in rows) == [1, 4]
    assert len(values_where(Notification, ("pk",), [("kind", "=", "test.where")], limit=2)) == 2
    assert values_where(Notification, ("pk",), [("attempts", "in", [])]) == []
    with pytest.raises(ValueError, match="values_where compares with"):
        values_where(Notification, ("pk",), [("attempts", "LIKE", 1)])
