"""IMAP channel: poll the support mailbox, store and process each message, then acknowledge it.

The order is the whole point (architecture 4.6): a message is fetched with ``BODY.PEEK[]`` (so
fetching marks nothing), stored by ``inbound_receive_many`` (committed), processed, and only once
its row is settled is it moved to the processed folder (or flagged ``\\Seen``). A crash at any point
leaves the message in the mailbox; the next pass fetches it again and the dedupe key maps it
to the row already stored, so it lands in a ticket exactly once.

The server's bytes are stored as they came: imap-tools' ``MailMessage`` would re-parse them,
so ``RawMailMessage`` keeps the fetched literal and parses nothing.
"""

from __future__ import annotations

import imaplib
import logging
import re
import ssl
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import DatabaseError, close_old_connections
from django.utils import timezone
from imap_tools import BaseMailBox, MailBox, MailBoxUnencrypted, MailMessage
from imap_tools.errors import (
    ImapToolsError,
    MailboxFolderCreateError,
    MailboxFolderSelectError,
    MailboxLoginError,
)

from operant.core.errors import UserError
from operant.mail.channels.smtp import MAX_MESSAGE_BYTES
from operant.mail.intake import ingest_batches
from operant.mail.models import InboundChannel, InboundMessage
from operant.mail.parsepool import ParsePool
from operant.mail.receive import SETTLED_STATES

log = logging.getLogger(__name__)

# One FETCH carries at most this many messages or bytes: few round trips, bounded memory.
BATCH_MESSAGES = 50
BATCH_BYTES = 25 * 1024 * 1024
# RFC 2177: re-issue IDLE well within 29 minutes; a pass also runs after each IDLE period,
# which catches anything a missed notification would have hidden.
IDLE_SECONDS = 5 * 60
IDLE_SLICE_SECONDS = 1.0
# Reconnect after 1, 2, 4, ... seconds, at most this long.
MAX_BACKOFF_SECONDS = 5 * 60
CONNECT_TIMEOUT_SECONDS = 60
# Errors of the connection or the server; the poller reconnects after them.
CONNECTION_ERRORS: tuple[type[BaseException], ...] = (OSError, imaplib.IMAP4.error, ImapToolsError)
_SIZE = re.compile(rb"UID (\d+) RFC822\.SIZE (\d+)|RFC822\.SIZE (\d+) UID (\d+)")


class ImapConfigError(UserError):
    """A missing or bad OPERANT_IMAP_* setting; the message names the key."""


class ImapConnectionError(UserError):
    """The mailbox could not be reached or refused us (for ``--once``: one line, exit 1)."""


@dataclass(frozen=True)
class ImapConfig:
    host: str
    port: int
    user: str
    password: str = field(repr=False)
    ssl: bool
    folder: str
    processed_folder: str
    poll_seconds: int

    @property
    def moves(self) -> bool:
        """Acknowledge by moving to the processed folder; otherwise by flagging \\Seen."""
        return bool(self.processed_folder)


def imap_config() -> ImapConfig:
    """The OPERANT_IMAP_* settings, checked; read at call time so tests can override them."""
    host = settings.OPERANT_IMAP_HOST.strip()
    if not host:
        raise ImapConfigError("OPERANT_IMAP_HOST is not set: it names the support mailbox server")
    user = settings.OPERANT_IMAP_USER.strip()
    if not user:
        raise ImapConfigError("OPERANT_IMAP_USER is not set: the support mailbox login")
    if not settings.OPERANT_IMAP_PASSWORD:
        raise ImapConfigError("OPERANT_IMAP_PASSWORD (or OPERANT_IMAP_PASSWORD_FILE) is not set")
    folder = settings.OPERANT_IMAP_FOLDER.strip()
    if not folder:
        raise ImapConfigError("OPERANT_IMAP_FOLDER is empty: name the folder to read, e.g. INBOX")
    processed = settings.OPERANT_IMAP_PROCESSED_FOLDER.strip()
    if processed.lower() == folder.lower():
        raise ImapConfigError(
            "OPERANT_IMAP_PROCESSED_FOLDER must differ from OPERANT_IMAP_FOLDER "
            "(leave it empty to flag processed mail \\Seen instead)"
        )
    return ImapConfig(
        host=host,
        port=settings.OPERANT_IMAP_PORT,
        user=user,
        password=settings.OPERANT_IMAP_PASSWORD,
        ssl=settings.OPERANT_IMAP_SSL,
        folder=folder,
        processed_folder=processed,
        poll_seconds=settings.OPERANT_IMAP_POLL_SECONDS,
    )


class RawMailMessage(MailMessage):
    """A fetched message that keeps the server's exact bytes and parses nothing.

    imap-tools builds ``email.message.Message`` objects; the desk has its own parser and must
    store the bytes as they came, so the parse would be wasted work on every message.
    """

    def __init__(self, fetch_data: list) -> None:
        raw, uid_data, flag_data = self._get_message_data_parts(fetch_data)
        self._raw_uid_data = uid_data
        self._raw_flag_data = flag_data
        self.raw: bytes = raw

    @property
    def obj(self) -> Any:  # only for imap-tools' own properties, which we do not use
        import email

        return email.message_from_bytes(self.raw)


@dataclass
class PassResult:
    """What one pass over the mailbox did (for the CLI, the logs and the tests)."""

    fetched: int = 0
    stored: int = 0
    acknowledged: int = 0
    left: int = 0  # fetched but not settled yet (retried later), or skipped as too large

    def __str__(self) -> str:
        return (
            f"fetched {self.fetched}, new {self.stored}, acknowledged {self.acknowledged}, "
            f"left in the mailbox {self.left}"
        )


def _batches(sizes: Sequence[tuple[str, int]], *, count: int, size: int) -> Iterator[list[str]]:
    """UIDs in arrival order, grouped so one FETCH stays under ``count`` messages and ``size``
    bytes (a single larger message gets a batch of its own)."""
    batch: list[str] = []
    total = 0
    for uid, length in sizes:
        if batch and (len(batch) >= count or total + length > size):
            yield batch
            batch, total = [], 0
        batch.append(uid)
        total += length
    if batch:
        yield batch


class ImapPoller:
    """Reads one support mailbox. ``run()`` is the long-running loop; ``poll()`` is one pass."""

    def __init__(
        self,
        config: ImapConfig,
        *,
        batch: int = BATCH_MESSAGES,
        clock: Callable[[], datetime] = timezone.now,
        stop: threading.Event | None = None,
        pool: ParsePool | None = None,
    ) -> None:
        self.config = config
        self.pool = pool  # parses batches ahead in worker processes; None: parse here
        self.batch = max(1, batch)
        self.clock = clock
        self.stop = stop or threading.Event()
        self.idle_supported = False

    # ---- connection ---------------------------------------------------------------------

    def connect(self) -> BaseMailBox:
        """Log in, refresh the capabilities, make sure the folders exist, select the inbox."""
        config = self.config
        mailbox: BaseMailBox
        if config.ssl:
            # imaplib's default context checks no certificate; the default one does.
            context = ssl.create_default_context()
            mailbox = MailBox(
                config.host, config.port, timeout=CONNECT_TIMEOUT_SECONDS, ssl_context=context
            )
        else:
            mailbox = MailBoxUnencrypted(config.host, config.port, timeout=CONNECT_TIMEOUT_SECONDS)
        mailbox.email_message_class = RawMailMessage  # type: ignore[assignment]
        try:
            mailbox.login(config.user, config.password, initial_folder=None)
            # imaplib keeps the capabilities from before login; servers add MOVE and IDLE after
            # it, and imap-tools' move() falls back to COPY + EXPUNGE without MOVE.
            typ, data = mailbox.client.capability()
            if typ == "OK" and data and data[-1]:
                mailbox.client.capabilities = tuple(data[-1].decode().upper().split())
            self.idle_supported = "IDLE" in mailbox.client.capabilities
            if config.moves and not mailbox.folder.exists(config.processed_folder):
                try:
                    mailbox.folder.create(config.processed_folder)
                except MailboxFolderCreateError as exc:
                    raise ImapConfigError(
                        f"OPERANT_IMAP_PROCESSED_FOLDER: cannot create {config.processed_folder!r}"
                        f" on {config.host}: {_server_text(exc)}"
                    ) from exc
                log.info("imap: created the processed folder %r", config.processed_folder)
            try:
                mailbox.folder.set(config.folder)
            except MailboxFolderSelectError as exc:
                raise ImapConfigError(
                    f"OPERANT_IMAP_FOLDER: cannot open {config.folder!r} on {config.host}: "
                    f"{_server_text(exc)}"
                ) from exc
        except BaseException:
            _logout_quietly(mailbox)
            raise
        return mailbox

    # ---- one pass -----------------------------------------------------------------------

    def _pending_sizes(self, mailbox: BaseMailBox) -> list[tuple[str, int]]:
        """(UID, size) of every message still to handle, oldest first."""
        criteria = "UNDELETED" if self.config.moves else "UNSEEN UNDELETED"
        uids = mailbox.uids(criteria)
        sizes: dict[str, int] = {}
        for start in range(0, len(uids), 500):
            chunk = ",".join(uids[start : start + 500])
            typ, data = mailbox.client.uid("FETCH", chunk, "(UID RFC822.SIZE)")
            if typ != "OK":
                raise imaplib.IMAP4.error(f"UID FETCH sizes: {typ} {data!r}")
            for item in data:
                line = item[0] if isinstance(item, tuple) else item
                match = _SIZE.search(line or b"")
                if match:
                    uid = match.group(1) or match.group(4)
                    sizes[uid.decode()] = int(match.group(2) or match.group(3))
        return sorted(sizes.items(), key=lambda pair: int(pair[0]))

    def _settled(self, received: list[tuple[InboundMessage, bool]]) -> list[bool]:
        """Per row: is it settled, so its message is safe to acknowledge?"""
        states = dict(
            InboundMessage.objects.filter(pk__in={row.pk for row, _ in received}).values_list(
                "pk", "state"
            )
        )
        return [states.get(row.pk) in SETTLED_STATES for row, _ in received]

    def _fetch(self, mailbox: BaseMailBox, uids: list[str]) -> list[tuple[str, bytes]]:
        """(UID, raw bytes) of the asked messages, with BODY.PEEK[] (nothing gets marked)."""
        wanted = set(uids)
        fetched: list[tuple[str, bytes]] = []
        for message in mailbox.fetch(uid_list=uids, mark_seen=False, bulk=True):
            raw = getattr(message, "raw", b"")
            if message.uid not in wanted or not raw:
                continue  # an unsolicited FETCH (another client's flag change), not ours
            wanted.discard(message.uid)
            fetched.append((message.uid, raw))
        return fetched

    def _acknowledge(self, mailbox: BaseMailBox, uids: list[str]) -> None:
        """Tell the mailbox these messages are done: called only after their rows committed."""
        if not uids:
            return
        if self.config.moves:
            mailbox.move(uids, self.config.processed_folder)
        else:
            # A plain STORE: imap-tools' flag() also EXPUNGEs the folder, which is not ours to do.
            typ, data = mailbox.client.uid("STORE", ",".join(uids), "+FLAGS.SILENT", r"(\Seen)")
            if typ != "OK":
                raise imaplib.IMAP4.error(f"UID STORE \\Seen: {typ} {data!r}")

    def poll(self, mailbox: BaseMailBox) -> PassResult:
        """One pass: every message waiting in the folder, in batches, acknowledged per batch.

        1. Search the waiting UIDs and their sizes (cheap: no bodies).
        2. Fetch a batch with BODY.PEEK[] (fetching sets no flag).
        3. Store the batch (committed), process it, and collect the UIDs whose rows are
           settled.
        4. Move (or flag) those UIDs, then the next batch. A stop request ends the pass
           between batches, so the batch in hand is always finished and acknowledged.
        """
        result = PassResult()
        waiting = self._pending_sizes(mailbox)
        fetchable: list[tuple[str, int]] = []
        for uid, length in waiting:
            if length > MAX_MESSAGE_BYTES:
                # Left for a person: storing it would take the database where SMTP refuses to.
                log.warning(
                    "imap: UID %s is %s bytes, over the limit; left in the mailbox", uid, length
                )
                result.left += 1
            else:
                fetchable.append((uid, length))
        in_hand: deque[list[str]] = deque()  # the UIDs of each batch handed to the pipeline

        def fetched_batches() -> Iterator[tuple[list[bytes], datetime]]:
            for uids in _batches(fetchable, count=self.batch, size=BATCH_BYTES):
                if self.stop.is_set():
                    result.left += len(uids)
                    continue
                batch = self._fetch(mailbox, uids)
                result.fetched += len(batch)
                if batch:
                    in_hand.append([uid for uid, _ in batch])
                    yield [raw for _, raw in batch], self.clock()

        # Each batch is committed raw-first, processed, and then acknowledged; with a parse
        # pool the next batch is fetched (not acknowledged) while this one is processed.
        for received, _ in ingest_batches(
            fetched_batches(), channel=InboundChannel.IMAP, pool=self.pool
        ):
            uids = in_hand.popleft()
            done: list[str] = []
            for uid, (_, created), settled in zip(
                uids, received, self._settled(received), strict=True
            ):
                result.stored += int(created)
                if settled:
                    done.append(uid)
                else:
                    result.left += 1
            self._acknowledge(mailbox, done)
            result.acknowledged += len(done)
        # imaplib files every untagged reply (one EXPUNGE per moved message) in a dict that
        # only grows on a connection that lives for weeks; nothing reads these after the pass.
        mailbox.client.untagged_responses.clear()
        return result

    # ---- waiting ------------------------------------------------------------------------

    def wait_for_mail(self, mailbox: BaseMailBox, timeout: float) -> bool:
        """Block until the server reports a change (IDLE), ``timeout`` passes or stop is set.

        True when the server said something worth a pass (EXISTS, EXPUNGE, BYE, ...);
        Dovecot's "* OK Still here" keepalives are not. Without IDLE this is a plain sleep of
        the poll interval. IDLE is polled in short slices so SIGTERM is honoured promptly.
        """
        if not self.idle_supported:
            self.stop.wait(timeout)
            return False
        waited = 0.0
        with mailbox.idle as idle:
            while waited < timeout and not self.stop.is_set():
                started = time.monotonic()
                lines = idle.poll(timeout=IDLE_SLICE_SECONDS)
                if any(not line.startswith(b"* OK") for line in lines):
                    return True
                spent = time.monotonic() - started
                if not lines and spent < IDLE_SLICE_SECONDS / 2:
                    # Readable but no line: the peer closed the socket (imap-tools swallows
                    # the EOF). Return, so leaving IDLE fails and the caller reconnects,
                    # rather than spin on a dead socket.
                    return True
                waited += spent
        return False

    # ---- the loop -----------------------------------------------------------------------

    def run_once(self) -> PassResult:
        """Connect, one pass, log out. Connection problems become one ``ImapConnectionError``."""
        try:
            mailbox = self.connect()
        except MailboxLoginError as exc:
            raise ImapConnectionError(
                f"IMAP login as {self.config.user} at {self.config.host} was refused "
                "(check OPERANT_IMAP_USER and OPERANT_IMAP_PASSWORD)"
            ) from exc
        except CONNECTION_ERRORS as exc:
            raise ImapConnectionError(self._describe(exc)) from exc
        try:
            return self.poll(mailbox)
        except CONNECTION_ERRORS as exc:
            raise ImapConnectionError(self._describe(exc)) from exc
        finally:
            _logout_quietly(mailbox)

    def run(self) -> None:
        """Poll until ``stop`` is set: IDLE where offered, else every poll interval.

        Any connection or database error is logged and followed by a reconnect after 1, 2,
        4, ... seconds (at most five minutes); messages not acknowledged stay in the mailbox.
        """
        failures = 0
        while not self.stop.is_set():
            mailbox: BaseMailBox | None = None
            try:
                mailbox = self.connect()
                log.info(
                    "imap: reading %s@%s/%s (%s)",
                    self.config.user,
                    self.config.host,
                    self.config.folder,
                    "IDLE" if self.idle_supported else f"polling every {self.config.poll_seconds}s",
                )
                failures = 0
                while not self.stop.is_set():
                    close_old_connections()
                    result = self.poll(mailbox)
                    if result.fetched or result.left:
                        log.info("imap: %s", result)
                    if result.acknowledged:
                        continue  # progress: more may have arrived meanwhile
                    timeout = IDLE_SECONDS if self.idle_supported else self.config.poll_seconds
                    self.wait_for_mail(mailbox, timeout)
            except (*CONNECTION_ERRORS, DatabaseError) as exc:
                failures += 1
                delay = min(2 ** (failures - 1), MAX_BACKOFF_SECONDS)
                log.warning("imap: %s; reconnecting in %ss", self._describe(exc), delay)
                close_old_connections()
                self.stop.wait(delay)
            finally:
                if mailbox is not None:
                    _logout_quietly(mailbox)

    def _describe(self, exc: BaseException) -> str:
        where = f"{self.config.host}:{self.config.port}"
        if isinstance(exc, MailboxLoginError):
            return f"login as {self.config.user} at {where} refused"
        detail = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        return f"IMAP {where}: {detail}"


def _server_text(exc: ImapToolsError) -> str:
    """The server's own words from a failed command, e.g. "[NONEXISTENT] Mailbox doesn't exist"."""
    result = getattr(exc, "command_result", None)
    try:
        return b" ".join(result[1]).decode("utf-8", "replace")  # type: ignore[index]
    except (TypeError, IndexError, AttributeError):
        return str(exc)


def _logout_quietly(mailbox: BaseMailBox) -> None:
    try:
        mailbox.logout()
    except Exception:  # a broken connection has nothing left to log out of
        log.debug("imap: logout failed", exc_info=True)
