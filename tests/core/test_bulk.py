"""operant.core.bulk: the fast INSERT and UPDATE store exactly what the ORM would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from operant.core.bulk import (
    bulk_insert,
    bulk_insert_values,
    bulk_set,
    bulk_set_values,
    conditional_update,
)
from operant.desk.models import Message, MessageKind, Ticket, TicketEvent
from operant.notify.models import Notification

pytestmark = pytest.mark.django_db

AT = datetime(2026, 12, 1, 10, 30, 15, 123456, tzinfo=ZoneInfo("America/New_York"))


@pytest.fixture
def open_ticket(client_a):
    from operant.desk.services import ticket_open

    def make(subject: str = "A question"):
        contact = client_a.contacts.first()
        return ticket_open(
            client=client_a,
            contact=contact,
            requester_email=contact.email,
            subject=subject,
            text="How do the reminder texts work?",
            received_at=AT,
            now=AT,
        )

    return make


def _notification(tag: str, **extra: object) -> Notification:
    return Notification(**_notification_fields(tag, **extra))


def _notification_fields(tag: str, **extra: object) -> dict[str, object]:
    fields: dict[str, object] = {
        "kind": "test.bulk",
        "to": ["ann@example.com", "bob@example.com"],
        "subject": "Ünïcode subject ✓",
        "body_text": "line one\nline two",
        "headers": {"In-Reply-To": "<a@b>", "X-Count": 3, "nested": {"ok": True}},
        "message_id": f"<{tag}@test>",
        "dedupe_key": None,
        "created_at": AT,
        "due_at": None,
        "attempts": 2,
    }
    fields.update(extra)
    return fields


def _stored(model: type, pks: list[int], exclude: tuple[str, ...] = ()) -> list[dict]:
    rows = {row["id"]: row for row in model.objects.filter(pk__in=pks).values()}
    return [
        {key: value for key, value in rows[pk].items() if key not in ("id", *exclude)} for pk in pks
    ]


def test_bulk_insert_stores_what_bulk_create_stores() -> None:
    by_orm = [_notification("orm-1"), _notification("orm-2", due_at=AT + timedelta(hours=1))]
    ours = [_notification("ours-1"), _notification("ours-2", due_at=AT + timedelta(hours=1))]
    Notification.objects.bulk_create(by_orm)
    bulk_insert(Notification, ours)

    assert all(n.pk is not None and not n._state.adding for n in ours)
    assert len({n.pk for n in ours} | {n.pk for n in by_orm}) == 4
    expected = _stored(Notification, [n.pk for n in by_orm], exclude=("message_id",))
    assert _stored(Notification, [n.pk for n in ours], exclude=("message_id",)) == expected
    stored = Notification.objects.get(pk=ours[1].pk)
    assert stored.headers["nested"] == {"ok": True}
    assert stored.created_at == AT
    assert stored.due_at == AT + timedelta(hours=1)
    assert stored.message_id == "<ours-2@test>"


def test_bulk_insert_values_stores_what_bulk_insert_stores_with_defaults() -> None:
    ours = [_notification("inst-1"), _notification("inst-2", due_at=AT + timedelta(hours=1))]
    bulk_insert(Notification, ours)
    # As given to a Notification, less what defaults cover (the dedupe key is None by default).
    values = [
        {
            name: value
            for name, value in _notification_fields(f"values-{n}", due_at=due).items()
            if name != "dedupe_key"
        }
        for n, due in ((1, None), (2, AT + timedelta(hours=1)))
    ]
    assert bulk_insert_values(Notification, values) == 2
    stored = Notification.objects.filter(message_id__startswith="<values-").order_by("pk")
    expected = _stored(Notification, [n.pk for n in ours], exclude=("message_id",))
    assert _stored(Notification, [n.pk for n in stored], exclude=("message_id",)) == expected
    assert bulk_insert_values(Notification, []) == 0
    with pytest.raises(ValueError, match="has no fields"):
        bulk_insert_values(Notification, [{"no_such_field": 1}])


def test_keys_follow_the_objects_across_statements(open_ticket) -> None:
    """More rows than one statement may carry: every object gets the key of its own row."""
    ticket = open_ticket()
    events = [
        TicketEvent(ticket=ticket, kind=f"k{index}", at=AT, data={"index": index})
        for index in range(1500)
    ]
    bulk_insert(TicketEvent, events)

    stored = dict(
        TicketEvent.objects.filter(pk__in=[e.pk for e in events]).values_list("pk", "data")
    )
    assert len(stored) == 1500
    assert all(stored[event.pk] == {"index": index} for index, event in enumerate(events))


def test_related_objects_saved_after_building_are_linked(open_ticket) -> None:
    """A message built around a ticket that gets its key later points at that ticket."""
    existing = open_ticket()
    ticket = Ticket(
        client=existing.client,
        requester_email="ann@example.com",
        subject="new",
        request_class="general",
        created_at=AT,
        updated_at=AT,
        last_message_at=AT,
        received_at=AT,
    )
    message = Message(ticket=ticket, kind=MessageKind.INBOUND, message_id="m@x", created_at=AT)
    bulk_insert(Ticket, [ticket])
    bulk_insert(Message, [message])

    assert Message.objects.get(pk=message.pk).ticket_id == ticket.pk
    assert message.ticket is ticket  # still the same object, not re-read


def test_unsaved_related_object_is_refused(open_ticket) -> None:
    ticket = Ticket(requester_email="x@example.com", subject="never saved")
    message = Message(ticket=ticket, kind=MessageKind.INBOUND, created_at=AT)
    with pytest.raises(ValueError, match="unsaved"):
        bulk_insert(Message, [message])
    assert not Message.objects.filter(created_at=AT).exists()


def test_objects_with_keys_are_refused() -> None:
    saved = _notification("saved")
    saved.save()
    with pytest.raises(ValueError, match="already has a key"):
        bulk_insert(Notification, [saved])


def test_empty_input_does_nothing() -> None:
    bulk_insert(Notification, [])
    assert bulk_set(Notification, [], ["subject"]) == 0
    assert bulk_set_values(Notification, ["subject"], []) == 0


def test_bulk_set_writes_the_named_fields_only() -> None:
    first, second, untouched = (_notification(f"set-{i}") for i in range(3))
    bulk_insert(Notification, [first, second, untouched])
    later = datetime(2027, 1, 2, 3, 4, 5, tzinfo=UTC)
    first.subject, first.headers, first.due_at = "changed", {"k": [1, 2]}, later
    second.subject, second.headers, second.due_at = "also", {}, None
    first.body_text = "not written: not named"

    assert bulk_set(Notification, [first, second], ["subject", "headers", "due_at"]) == 2

    rows = {n.pk: n for n in Notification.objects.all()}
    assert (rows[first.pk].subject, rows[first.pk].headers, rows[first.pk].due_at) == (
        "changed",
        {"k": [1, 2]},
        later,
    )
    assert rows[first.pk].body_text == "line one\nline two"
    assert (rows[second.pk].subject, rows[second.pk].headers, rows[second.pk].due_at) == (
        "also",
        {},
        None,
    )
    assert rows[untouched.pk].subject == "Ünïcode subject ✓"


def test_bulk_set_values_takes_foreign_keys_by_name(open_ticket) -> None:
    one, two = open_ticket(), open_ticket(subject="other")
    message = Message(ticket=one, kind=MessageKind.INBOUND, created_at=AT)
    bulk_insert(Message, [message])

    bulk_set_values(Message, ["ticket", "subject"], [(message.pk, (two.pk, "moved"))])

    assert Message.objects.filter(pk=message.pk).values_list("ticket_id", "subject").get() == (
        two.pk,
        "moved",
    )


@pytest.mark.parametrize(
    ("fields", "rows", "message"),
    [
        (["id"], [(1, (2,))], "non-key"),
        (["subject"], [(1, ("a", "b"))], "2 values for 1 fields"),
    ],
)
def test_bulk_set_values_refuses_bad_calls(fields, rows, message) -> None:
    with pytest.raises(ValueError, match=message):
        bulk_set_values(Notification, fields, rows)


def test_bulk_set_needs_keys() -> None:
    with pytest.raises(ValueError, match="without a primary key"):
        bulk_set(Notification, [_notification("unsaved")], ["subject"])


def test_repeated_and_equal_timestamps_are_stored_as_instants() -> None:
    """Timestamps shared by many rows are converted once; the same instant in another zone,
    and values a microsecond apart, still land as themselves."""
    tokyo = AT.astimezone(ZoneInfo("Asia/Tokyo"))  # the same instant as AT
    moments = [AT, tokyo, AT + timedelta(microseconds=1), AT, None]
    notifications = [
        _notification(f"t{index}", due_at=moment) for index, moment in enumerate(moments)
    ]
    bulk_insert(Notification, notifications)
    stored = dict(
        Notification.objects.filter(pk__in=[n.pk for n in notifications]).values_list(
            "pk", "due_at"
        )
    )
    assert [stored[n.pk] for n in notifications] == moments


def test_conditional_update_writes_only_while_the_row_is_as_expected(open_ticket) -> None:
    one, two = open_ticket(), open_ticket(subject="other")
    message = Message(ticket=one, kind=MessageKind.INBOUND, created_at=AT)
    note = _notification("cond", due_at=AT)
    bulk_insert(Message, [message])
    bulk_insert(Notification, [note])
    later = datetime(2027, 1, 2, 3, 4, 5, tzinfo=UTC)

    # A value, a NULL and a timestamp in another zone (the same instant) as expectations.
    tokyo = AT.astimezone(ZoneInfo("Asia/Tokyo"))
    expected = {"subject": "Ünïcode subject ✓", "sent_at": None, "due_at": tokyo}
    changes = {"due_at": later, "headers": {"n": 1}, "attempts": 3}
    assert conditional_update(Notification, note.pk, expected, changes) == 1
    row = Notification.objects.get(pk=note.pk)
    assert (row.due_at, row.headers, row.attempts) == (later, {"n": 1}, 3)

    # The same claim again: the row no longer holds what it expects, nothing is written.
    assert conditional_update(Notification, note.pk, expected, {"attempts": 9}) == 0
    assert conditional_update(Notification, note.pk, {"due_at": None}, {"attempts": 9}) == 0
    assert conditional_update(Notification, note.pk + 1000, {}, {"attempts": 9}) == 0
    assert Notification.objects.get(pk=note.pk).attempts == 3

    # Foreign keys as objects or keys, in the changes and in the expectations.
    assert conditional_update(Message, message.pk, {"ticket": one}, {"ticket": two}) == 1
    assert conditional_update(Message, message.pk, {"ticket": one.pk}, {"ticket": one}) == 0
    assert (
        conditional_update(Message, message.pk, {"ticket_id": two.pk}, {"ticket_id": one.pk}) == 1
    )
    assert Message.objects.filter(pk=message.pk).values_list("ticket_id", flat=True).get() == one.pk


def test_conditional_update_refuses_nothing_to_change() -> None:
    with pytest.raises(ValueError, match="needs something to change"):
        conditional_update(Notification, 1, {"attempts": 0}, {})
