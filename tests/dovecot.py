"""A real Dovecot IMAP server, and a small MTA delivering into it, for the mail channel tests.

``dovecot`` (session) starts Debian's Dovecot on 127.0.0.1 and a free port, with everything
under a temporary directory: its runtime files, a passwd-file of the ``USERS`` below
(plaintext login allowed, no TLS: loopback only) and one maildir per user. Running as root,
mail is accessed as the ``mail`` system user (Dovecot refuses root); otherwise as the current
user. It is skipped only when /usr/sbin/dovecot is missing and OPERANT_REQUIRE_DOVECOT is
unset; CI sets it, so a missing Dovecot fails loudly.

``mailboxes`` (function) empties every mailbox first and returns the same server.
``mta`` is an SMTP server (aiosmtpd, loopback, free port) that delivers each message into the
recipient's Dovecot INBOX by IMAP APPEND; ``desk_outbound`` points the desk's Django SMTP
backend at it, so acknowledgements and replies travel by real SMTP into real mailboxes.
``imap_settings`` points the OPERANT_IMAP_* settings at the support mailbox.
"""

from __future__ import annotations

import asyncio
import grp
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from imap_tools import MailBoxUnencrypted

from tests.waiting import wait_until

DOVECOT = Path("/usr/sbin/dovecot")
DOVEADM = Path("/usr/bin/doveadm")
HOST = "127.0.0.1"
SUPPORT = "support@operant.test"
USERS = {
    SUPPORT: "support-secret",
    "alice@client-a.test": "alice-secret",
    "bob@client-b.test": "bob-secret",
    "carol@client-c.test": "carol-secret",
}
# How long Dovecot may take to answer its first connection. A readiness wait, not an assertion.
START_WAIT_SECONDS = 30.0


def free_port() -> int:
    """A port free right now on the loopback (for servers that cannot bind port 0 themselves)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class StoredMessage:
    uid: str
    flags: tuple[str, ...]
    raw: bytes


@dataclass
class DovecotServer:
    root: Path
    port: int
    users: dict[str, str]
    process: subprocess.Popen[bytes] | None = None
    host: str = HOST
    log_path: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log_path = self.root / "dovecot.log"

    # ---- client side ------------------------------------------------------------------

    @contextmanager
    def mailbox(self, user: str, folder: str | None = "INBOX") -> Iterator[MailBoxUnencrypted]:
        box = MailBoxUnencrypted(self.host, self.port, timeout=30)
        box.login(user, self.users[user], initial_folder=folder)
        try:
            yield box
        finally:
            box.logout()

    def append(
        self, user: str, raw: bytes, *, folder: str = "INBOX", flags: Iterable[str] = ()
    ) -> None:
        self.append_many(user, [raw], folder=folder, flags=flags)

    def append_many(
        self, user: str, raws: Iterable[bytes], *, folder: str = "INBOX", flags: Iterable[str] = ()
    ) -> None:
        with self.mailbox(user, folder=None) as box:
            for raw in raws:
                box.append(raw, folder, flag_set=list(flags) or None)

    def messages(self, user: str, folder: str = "INBOX") -> list[StoredMessage]:
        """Every message in the folder, oldest first, read without setting \\Seen."""
        with self.mailbox(user, folder=None) as box:
            if not box.folder.exists(folder):
                return []
            box.folder.set(folder, readonly=True)
            typ, data = box.client.uid("FETCH", "1:*", "(UID FLAGS BODY.PEEK[])")
            assert typ == "OK", data
            found = []
            for item in data:
                if not isinstance(item, tuple):
                    continue
                head = item[0].decode()
                uid = head.split("UID ", 1)[1].split()[0].rstrip(")")
                flags = head.split("FLAGS (", 1)[1].split(")", 1)[0].split()
                found.append(StoredMessage(uid, tuple(flags), item[1]))
            return sorted(found, key=lambda message: int(message.uid))

    def folders(self, user: str) -> list[str]:
        with self.mailbox(user, folder=None) as box:
            return sorted(info.name for info in box.folder.list())

    def reset(self) -> None:
        """Empty every user's mailbox: other folders deleted, INBOX expunged."""
        for user in self.users:
            with self.mailbox(user, folder=None) as box:
                for info in box.folder.list():
                    if info.name.upper() != "INBOX":
                        box.folder.delete(info.name)
                box.folder.set("INBOX")
                box.client.uid("STORE", "1:*", "+FLAGS.SILENT", r"(\Deleted)")
                box.expunge()

    # ---- server side ------------------------------------------------------------------

    def idling(self, user: str) -> bool:
        """Whether one of this server's IMAP processes for ``user`` is in IDLE right now
        (``verbose_proctitle`` puts the current command in the process title)."""
        assert self.process is not None
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                title = (entry / "cmdline").read_bytes()
            except OSError:
                continue  # the process ended meanwhile
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            if parent == self.process.pid and user.encode() in title and b"IDLE" in title:
                return True
        return False

    def kick(self, user: str) -> None:
        """Disconnect the user's sessions from the server side (as a server restart would)."""
        subprocess.run(
            [str(DOVEADM), "-c", str(self.root / "dovecot.conf"), "kick", user],
            check=True,
            capture_output=True,
            env=_machine_clock_env(),
        )

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


def _machine_clock_env() -> dict[str, str]:
    """This environment without libfaketime. Dovecot is a server the tests talk to, as
    PostgreSQL is, not code under test: when ``scripts/test-any-day`` fakes the test run's
    clock, Dovecot keeps the machine's (on a faked one its logins stall)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("FAKETIME")}
    preload = [lib for lib in re.split(r"[\s:]+", env.pop("LD_PRELOAD", "")) if lib]
    kept = [lib for lib in preload if "faketime" not in Path(lib).name]
    if kept:
        env["LD_PRELOAD"] = " ".join(kept)
    return env


def _accounts() -> dict[str, str]:
    """Who runs what. As root: Dovecot's own users, mail as ``mail``. Otherwise: ourselves."""
    if os.geteuid() == 0:
        mail = pwd.getpwnam("mail") if _user_exists("mail") else pwd.getpwnam("nobody")
        internal = pwd.getpwnam("dovecot") if _user_exists("dovecot") else mail
        login = "dovenull" if _user_exists("dovenull") else internal.pw_name
        return {
            "internal": internal.pw_name,
            "internal_group": grp.getgrgid(internal.pw_gid).gr_name,
            "login": login,
            "uid": str(mail.pw_uid),
            "gid": str(mail.pw_gid),
        }
    me = pwd.getpwuid(os.geteuid())
    return {
        "internal": me.pw_name,
        "internal_group": grp.getgrgid(os.getegid()).gr_name,
        "login": me.pw_name,
        "uid": str(me.pw_uid),
        "gid": str(os.getegid()),
    }


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def _config(root: Path, port: int, accounts: dict[str, str]) -> str:
    return f"""# Written by tests/dovecot.py for one test session.
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = {HOST}
ssl = no
# Plaintext logins on the loopback only, for tests (Dovecot 2.3 spelling).
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {accounts["internal"]}
default_internal_group = {accounts["internal_group"]}
default_login_user = {accounts["login"]}
first_valid_uid = {min(int(accounts["uid"]), 500)}
first_valid_gid = {min(int(accounts["gid"]), 500)}
mail_location = maildir:~/Maildir
# The current command in each process title: lets a test see a session sitting in IDLE.
verbose_proctitle = yes
namespace inbox {{
  inbox = yes
  separator = /
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={accounts["uid"]} gid={accounts["gid"]} home={root}/home/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = {HOST}
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""


def _wait_until_ready(server: DovecotServer) -> None:
    process = server.process
    assert process is not None

    def greets() -> bool:
        try:
            with socket.create_connection((HOST, server.port), timeout=2) as conn:
                return conn.recv(64).startswith(b"* OK")
        except OSError:
            return False

    try:
        # True once it greets; "exited" if it stopped (the port may have been taken).
        answer = wait_until(
            lambda: "exited" if process.poll() is not None else greets(),
            timeout=START_WAIT_SECONDS,
            what="Dovecot's greeting",
        )
    except TimeoutError:
        answer = "silent"
    if answer is True:
        return
    server.stop()
    raise RuntimeError(f"Dovecot did not start on port {server.port}:\n{server.log_tail()}")


def start_dovecot(users: dict[str, str] | None = None) -> DovecotServer:
    """Start Dovecot in a fresh directory; the caller stops it (``stop()``) and removes
    ``root``."""
    users = dict(users or USERS)
    accounts = _accounts()
    # Not under pytest's (0700) tmp dir: Dovecot's mail processes run as another user.
    root = Path(tempfile.mkdtemp(prefix="operant-dovecot-"))
    root.chmod(0o755)
    (root / "home").mkdir()
    os.chown(root / "home", int(accounts["uid"]), int(accounts["gid"]))
    (root / "passwd").write_text(
        "".join(f"{user}:{{PLAIN}}{password}::::::\n" for user, password in users.items())
    )
    last_error: Exception | None = None
    # The port is picked free, then bound by Dovecot: another process may win the race.
    for _ in range(3):
        port = free_port()
        (root / "dovecot.conf").write_text(_config(root, port, accounts))
        server = DovecotServer(root=root, port=port, users=users)
        server.process = subprocess.Popen(
            [str(DOVECOT), "-F", "-c", str(root / "dovecot.conf")],
            stdout=subprocess.DEVNULL,
            stderr=open(root / "dovecot.stderr", "ab"),  # noqa: SIM115 - lives with the process
            env=_machine_clock_env(),
        )
        try:
            _wait_until_ready(server)
        except RuntimeError as exc:
            last_error = exc
            continue
        return server
    shutil.rmtree(root, ignore_errors=True)
    raise RuntimeError(f"Dovecot would not start: {last_error}")


# ---- the delivering MTA -----------------------------------------------------------------


@dataclass
class DeliveringHandler:
    """Delivers each accepted message to every recipient's Dovecot INBOX."""

    server: DovecotServer
    delivered: list[tuple[str, bytes]] = field(default_factory=list)

    async def handle_RCPT(
        self, smtp: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address.lower() not in self.server.users:
            return "550 5.1.1 no such user here"
        envelope.rcpt_tos.append(address.lower())
        return "250 OK"

    async def handle_DATA(self, smtp: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content
        for rcpt in envelope.rcpt_tos:
            await asyncio.to_thread(self.server.append, rcpt, raw)
            self.delivered.append((rcpt, raw))
        return "250 OK: delivered"


@dataclass
class TestMTA:
    __test__ = False  # not a test class, despite the name

    host: str
    port: int
    handler: DeliveringHandler

    @property
    def delivered(self) -> list[tuple[str, bytes]]:
        return self.handler.delivered


@contextmanager
def delivering_mta(server: DovecotServer) -> Iterator[TestMTA]:
    from operant.mail.channels.smtp import DeskController

    handler = DeliveringHandler(server)
    controller = DeskController(
        handler, hostname=HOST, port=0, decode_data=False, server_hostname="mta.operant.test"
    )
    controller.start()
    try:
        yield TestMTA(HOST, controller.port, handler)
    finally:
        controller.stop()


# ---- fixtures ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def dovecot() -> Iterator[DovecotServer]:
    """A running Dovecot for the whole session (see the module docstring)."""
    if not DOVECOT.exists():
        reason = f"{DOVECOT} is not installed (apt-get install dovecot-imapd)"
        if os.environ.get("OPERANT_REQUIRE_DOVECOT"):
            pytest.fail(f"OPERANT_REQUIRE_DOVECOT is set but {reason}", pytrace=False)
        pytest.skip(reason)
    server = start_dovecot()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(server.root, ignore_errors=True)


@pytest.fixture
def mailboxes(dovecot: DovecotServer) -> DovecotServer:
    """The session's Dovecot with every mailbox emptied."""
    dovecot.reset()
    return dovecot


@pytest.fixture
def mta(mailboxes: DovecotServer) -> Iterator[TestMTA]:
    with delivering_mta(mailboxes) as running:
        yield running


@pytest.fixture
def desk_outbound(settings: Any, mta: TestMTA) -> TestMTA:
    """The desk's outgoing mail goes by real SMTP to ``mta``, which delivers into Dovecot."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = mta.host
    settings.EMAIL_PORT = mta.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    return mta


@pytest.fixture
def imap_settings(settings: Any, mailboxes: DovecotServer) -> DovecotServer:
    """OPERANT_IMAP_* pointing at the support mailbox (plain IMAP, moves to "Processed")."""
    settings.OPERANT_IMAP_HOST = mailboxes.host
    settings.OPERANT_IMAP_PORT = mailboxes.port
    settings.OPERANT_IMAP_SSL = False
    settings.OPERANT_IMAP_USER = SUPPORT
    settings.OPERANT_IMAP_PASSWORD = mailboxes.users[SUPPORT]
    settings.OPERANT_IMAP_FOLDER = "INBOX"
    settings.OPERANT_IMAP_PROCESSED_FOLDER = "Processed"
    settings.OPERANT_IMAP_POLL_SECONDS = 1
    return mailboxes


# ---- messages ---------------------------------------------------------------------------


def make_mail(
    *,
    sender: str = "alice@client-a.test",
    to: str = SUPPORT,
    subject: str = "The reminder texts stopped",
    body: str = "Hello,\n\nour appointment reminders stopped going out this morning.\n",
    message_id: str | None = "m1@client-a.test",
    headers: dict[str, str] | None = None,
) -> bytes:
    """A plain message with CRLF line ends, as a mail server stores and serves it."""
    from email.message import EmailMessage
    from email.policy import SMTP

    message = EmailMessage(policy=SMTP)
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = "Tue, 01 Dec 2026 10:00:00 -0500"
    if message_id:
        message["Message-ID"] = f"<{message_id}>"
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    return message.as_bytes()
