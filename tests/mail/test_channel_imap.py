"""The IMAP channel against a real Dovecot: exact bytes, acknowledgement only after the commit,
batches, IDLE, reconnects and configuration errors."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection
from django.utils import timezone

from operant.desk.models import Message, Ticket
from operant.mail.channels import imap as imap_channel
from operant.mail.channels.imap import ImapConfigError, ImapPoller, imap_config
from operant.mail.models import InboundMessage, InboundState
from operant.mail.parsepool import ParsePool
from tests.dovecot import SUPPORT, DovecotServer, make_mail
from tests.waiting import wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def poll_once(**kwargs: Any) -> imap_channel.PassResult:
    return ImapPoller(imap_config(), **kwargs).run_once()


def test_it_stores_the_servers_exact_bytes(imap_settings: DovecotServer) -> None:
    # 8-bit Latin-1 in the body, a folded header, tabs and trailing spaces: nothing normalized.
    raw = (
        b"From: Jos\xe9 <jose@client-b.test>\r\n"
        b"To: support@operant.test\r\n"
        b"Subject: =?iso-8859-1?q?Se=F1al?= perdida\r\n"
        b"X-Folded: one\r\n\t two  \r\n"
        b"Message-ID: <exact@client-b.test>\r\n"
        b"Content-Type: text/plain; charset=iso-8859-1\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n"
        b"\r\n"
        b"Se\xf1al perdida desde ayer.  \r\n\r\n"
    )
    imap_settings.append(SUPPORT, raw)
    served = imap_settings.messages(SUPPORT)[0].raw
    result = poll_once()
    assert (result.fetched, result.stored, result.acknowledged) == (1, 1, 1)
    assert bytes(InboundMessage.objects.get().raw) == served


def test_a_message_lands_in_a_ticket_and_then_moves_to_the_processed_folder(
    imap_settings: DovecotServer,
) -> None:
    imap_settings.append(SUPPORT, make_mail(sender="stranger@elsewhere.test"))
    poll_once()
    row = InboundMessage.objects.get()
    assert row.channel == "imap"
    assert row.state == InboundState.PROCESSED
    assert Message.objects.get(message_id="m1@client-a.test").ticket == Ticket.objects.get()
    assert imap_settings.messages(SUPPORT) == []
    assert "Processed" in imap_settings.folders(SUPPORT)
    assert len(imap_settings.messages(SUPPORT, "Processed")) == 1
    # The next pass finds nothing to do.
    assert poll_once().fetched == 0


def test_without_a_processed_folder_it_flags_seen_and_leaves_the_message(
    imap_settings: DovecotServer, settings: Any
) -> None:
    settings.OPERANT_IMAP_PROCESSED_FOLDER = ""
    imap_settings.append(SUPPORT, make_mail())
    assert poll_once().acknowledged == 1
    [kept] = imap_settings.messages(SUPPORT)
    assert "\\Seen" in kept.flags
    assert "Processed" not in imap_settings.folders(SUPPORT)
    assert poll_once().fetched == 0
    assert InboundMessage.objects.count() == 1


def test_nothing_is_marked_when_the_database_refuses_the_message(
    imap_settings: DovecotServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    imap_settings.append(SUPPORT, make_mail())

    def database_down(**kwargs: Any) -> Any:
        raise DatabaseError("database is unavailable")

    monkeypatch.setattr("operant.mail.intake.inbound_receive_many", database_down)
    with pytest.raises(DatabaseError):
        poll_once()
    [still] = imap_settings.messages(SUPPORT)
    assert "\\Seen" not in still.flags  # fetched with BODY.PEEK[]
    assert imap_settings.messages(SUPPORT, "Processed") == []
    monkeypatch.undo()
    assert poll_once().acknowledged == 1
    assert imap_settings.messages(SUPPORT) == []


def test_a_message_whose_processing_fails_stays_until_a_retry_settles_it(
    imap_settings: DovecotServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    imap_settings.append(SUPPORT, make_mail())

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug in routing")

    # The batch fails, then so does each row on its own.
    monkeypatch.setattr("operant.mail.services._process_claimed", broken)
    result = poll_once()
    assert (result.stored, result.acknowledged, result.left) == (1, 0, 1)
    row = InboundMessage.objects.get()
    assert row.state == InboundState.PENDING  # stored, kept, retried later
    assert row.flagged
    assert len(imap_settings.messages(SUPPORT)) == 1
    monkeypatch.undo()
    # Before the retry is due the pass leaves it alone; after, it settles and is moved.
    assert poll_once().acknowledged == 0
    later = timezone.now() + timedelta(minutes=5)
    assert poll_once(clock=lambda: later).acknowledged == 1
    assert InboundMessage.objects.get().state == InboundState.PROCESSED
    assert imap_settings.messages(SUPPORT) == []


@pytest.fixture(params=[0, 1], ids=["parse-here", "parse-workers"])
def parse_pool(request: pytest.FixtureRequest) -> Iterator[ParsePool]:
    """Both ways a poller parses: in its own process, or a batch ahead in a worker."""
    with ParsePool(workers=request.param) as pool:
        yield pool


def test_the_mailbox_is_acknowledged_only_after_the_rows_are_committed(
    imap_settings: DovecotServer, monkeypatch: pytest.MonkeyPatch, parse_pool: ParsePool
) -> None:
    for n in range(3):
        imap_settings.append(SUPPORT, make_mail(message_id=f"ack-{n}@client-a.test"))
    seen: list[tuple[bool, list[str], int]] = []
    acknowledge = ImapPoller._acknowledge

    def watching(self: ImapPoller, mailbox: Any, uids: list[str]) -> None:
        settled = InboundMessage.objects.filter(
            state__in=[InboundState.PROCESSED, InboundState.IGNORED]
        ).count()
        seen.append((connection.in_atomic_block, list(uids), settled))
        # At this moment the messages are still in the inbox: the move comes after the commit.
        assert len(imap_settings.messages(SUPPORT)) == 3 - sum(len(s[1]) for s in seen[:-1])
        acknowledge(self, mailbox, uids)

    monkeypatch.setattr(ImapPoller, "_acknowledge", watching)
    poll_once(batch=2, pool=parse_pool)
    assert [(atomic, len(uids)) for atomic, uids, _ in seen] == [(False, 2), (False, 1)]
    assert [settled for *_, settled in seen] == [2, 3]


def test_it_fetches_in_batches(
    imap_settings: DovecotServer, monkeypatch: pytest.MonkeyPatch, parse_pool: ParsePool
) -> None:
    imap_settings.append_many(
        SUPPORT, [make_mail(message_id=f"batch-{n}@client-a.test") for n in range(7)]
    )
    fetches: list[int] = []
    original = imap_channel.BaseMailBox.fetch

    def counting(self: Any, *args: Any, **kwargs: Any) -> Any:
        fetches.append(len(kwargs["uid_list"]))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(imap_channel.BaseMailBox, "fetch", counting)
    result = poll_once(batch=3, pool=parse_pool)
    assert fetches == [3, 3, 1]
    assert (result.fetched, result.stored, result.acknowledged) == (7, 7, 7)
    assert Message.objects.filter(kind="inbound").count() == 7


def test_the_same_message_twice_in_the_mailbox_makes_one_ticket_message(
    imap_settings: DovecotServer,
) -> None:
    raw = make_mail(message_id="twice@client-a.test")
    # The second copy went through one more relay: other bytes, same Message-ID.
    imap_settings.append_many(SUPPORT, [raw, b"Received: from relay.test\r\n" + raw])
    result = poll_once()
    assert (result.fetched, result.stored, result.acknowledged) == (2, 1, 2)
    assert Message.objects.filter(message_id="twice@client-a.test").count() == 1
    assert InboundMessage.objects.count() == 1
    assert len(imap_settings.messages(SUPPORT, "Processed")) == 2  # nothing thrown away


def test_idle_wakes_the_poller_when_mail_arrives(imap_settings: DovecotServer) -> None:
    poller = ImapPoller(imap_config())
    mailbox = poller.connect()
    try:
        assert poller.idle_supported  # Dovecot offers IDLE
        woke: list[bool] = []
        waiter = threading.Thread(target=lambda: woke.append(poller.wait_for_mail(mailbox, 60)))
        waiter.start()
        imap_settings.append(SUPPORT, make_mail(message_id="idle@client-a.test"))
        waiter.join()
        assert woke == [True]  # the server's EXISTS, not the 60 s timeout
        assert poller.poll(mailbox).acknowledged == 1
    finally:
        mailbox.logout()


def test_a_server_side_disconnect_during_idle_ends_the_wait(imap_settings: DovecotServer) -> None:
    poller = ImapPoller(imap_config())
    mailbox = poller.connect()
    outcome: list[Any] = []

    def wait() -> None:
        try:
            outcome.append(poller.wait_for_mail(mailbox, 60))
        except imap_channel.CONNECTION_ERRORS as exc:  # leaving IDLE on a closed socket
            outcome.append(exc)

    waiter = threading.Thread(target=wait)
    waiter.start()
    # Kick only once the session sits in IDLE (or the wait is over, whatever ended it).
    wait_until(
        lambda: not waiter.is_alive() or imap_settings.idling(SUPPORT),
        timeout=60,
        what="the session to enter IDLE",
    )
    imap_settings.kick(SUPPORT)
    waiter.join()
    # Either the wait saw the server's BYE, or leaving IDLE failed: no 60 s wait, no spin.
    assert outcome
    assert outcome[0] is True or isinstance(outcome[0], imap_channel.CONNECTION_ERRORS)
    with pytest.raises(imap_channel.CONNECTION_ERRORS):
        poller.poll(mailbox)


def test_a_stop_request_ends_an_idle_wait(imap_settings: DovecotServer) -> None:
    poller = ImapPoller(imap_config())
    mailbox = poller.connect()
    try:
        poller.stop.set()
        assert poller.wait_for_mail(mailbox, 60) is False
    finally:
        mailbox.logout()


class RecordingStop(threading.Event):
    """A stop event that records the delays it is asked to sleep instead of sleeping them,
    and sets itself after ``stop_after`` of them."""

    def __init__(self, stop_after: int | None = None) -> None:
        super().__init__()
        self.delays: list[float] = []
        self.stop_after = stop_after

    def wait(self, timeout: float | None = None) -> bool:
        self.delays.append(timeout or 0)
        if self.stop_after is not None and len(self.delays) >= self.stop_after:
            self.set()
        return self.is_set()


def test_without_idle_it_polls_every_poll_seconds(
    imap_settings: DovecotServer, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.OPERANT_IMAP_POLL_SECONDS = 7
    imap_settings.append(SUPPORT, make_mail(message_id="polled@client-a.test"))
    stop = RecordingStop(stop_after=1)
    poller = ImapPoller(imap_config(), stop=stop)
    real_connect = poller.connect

    def connect_without_idle() -> Any:
        mailbox = real_connect()
        poller.idle_supported = False  # as on a server that does not offer IDLE
        return mailbox

    monkeypatch.setattr(poller, "connect", connect_without_idle)
    poller.run()
    assert stop.delays == [7]  # one pass found the message, the next found none, then sleep
    assert Message.objects.filter(message_id="polled@client-a.test").exists()


def test_connection_errors_are_logged_and_retried_with_backoff(
    imap_settings: DovecotServer, monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    imap_settings.append(SUPPORT, make_mail(message_id="after-outage@client-a.test"))
    stop = RecordingStop()
    poller = ImapPoller(imap_config(), stop=stop)
    real_connect = poller.connect
    attempts: list[int] = []

    def flaky_connect() -> Any:
        attempts.append(1)
        if len(attempts) <= 3:
            raise ConnectionRefusedError(111, "Connection refused")
        return real_connect()

    def stop_when_idle(mailbox: Any, timeout: float) -> bool:
        stop.set()
        return False

    monkeypatch.setattr(poller, "connect", flaky_connect)
    monkeypatch.setattr(poller, "wait_for_mail", stop_when_idle)
    with caplog.at_level("WARNING", logger="operant.mail.channels.imap"):
        poller.run()
    assert stop.delays == [1, 2, 4]
    assert "Connection refused; reconnecting in 1s" in caplog.text
    assert Message.objects.filter(message_id="after-outage@client-a.test").exists()
    assert imap_settings.messages(SUPPORT) == []


def test_the_command_runs_one_pass(imap_settings: DovecotServer, capsys: Any) -> None:
    imap_settings.append(SUPPORT, make_mail())
    call_command("imap", "--once")
    assert "fetched 1, new 1, acknowledged 1" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("name", "value", "key"),
    [
        ("OPERANT_IMAP_HOST", "", "OPERANT_IMAP_HOST"),
        ("OPERANT_IMAP_USER", "", "OPERANT_IMAP_USER"),
        ("OPERANT_IMAP_PASSWORD", "", "OPERANT_IMAP_PASSWORD"),
        ("OPERANT_IMAP_PROCESSED_FOLDER", "inbox", "OPERANT_IMAP_PROCESSED_FOLDER"),
    ],
)
def test_bad_settings_name_the_key(settings: Any, name: str, value: str, key: str) -> None:
    settings.OPERANT_IMAP_HOST = "imap.example.test"
    settings.OPERANT_IMAP_USER = "support"
    settings.OPERANT_IMAP_PASSWORD = "x"
    settings.OPERANT_IMAP_FOLDER = "INBOX"
    settings.OPERANT_IMAP_PROCESSED_FOLDER = "Processed"
    setattr(settings, name, value)
    with pytest.raises(ImapConfigError, match=key):
        imap_config()
    with pytest.raises(CommandError, match=key):
        call_command("imap", "--once")


def test_a_missing_folder_names_the_key(imap_settings: DovecotServer, settings: Any) -> None:
    settings.OPERANT_IMAP_FOLDER = "No such folder"
    with pytest.raises(CommandError, match="OPERANT_IMAP_FOLDER"):
        call_command("imap", "--once")


def test_a_refused_login_is_one_line_naming_the_keys(
    imap_settings: DovecotServer, settings: Any
) -> None:
    settings.OPERANT_IMAP_PASSWORD = "wrong"
    with pytest.raises(CommandError, match="OPERANT_IMAP_PASSWORD") as refused:
        call_command("imap", "--once")
    assert "\n" not in str(refused.value)


def test_an_unreachable_server_is_one_line(settings: Any) -> None:
    from tests.dovecot import free_port

    settings.OPERANT_IMAP_HOST = "127.0.0.1"
    settings.OPERANT_IMAP_PORT = free_port()  # nothing listens there
    settings.OPERANT_IMAP_SSL = False
    settings.OPERANT_IMAP_USER = "support"
    settings.OPERANT_IMAP_PASSWORD = "x"
    with pytest.raises(CommandError, match="Connection refused"):
        call_command("imap", "--once")
