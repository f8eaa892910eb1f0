"""The load of bench/monitoring_ingest.py: who exists, and the requests wrk sends.

- ``make_fleet``: clients, each with a Twilio account (AccountSid and auth token) and
  workflows, each workflow with a phone number its messages are sent from. Deterministic for
  a seed. The database is seeded from it; the ping codes come back from the seeding.
- ``ping_requests``: POSTs with a small body spread over every workflow's ping code, mostly
  success pings with some ``/start`` (healthchecks.io's usual pairing).
- ``callback_requests``: Twilio message status callbacks as Twilio sends them: a form body
  (MessageSid, MessageStatus, AccountSid, From, To, ...; ErrorCode on failures), signed
  with the account's auth token by the official library's ``RequestValidator.compute_signature``
  over the full URL the server is reached at, exactly as Twilio signs. Every body is distinct
  (its own message and status), so the number of stored callbacks can be compared with the
  number of 2xx answers; repeating one would be a replay, which is applied once by design.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

from _wrk import Request

CALLBACK_PATH = "/webhooks/twilio/status"
FORM = "application/x-www-form-urlencoded"
# Twilio's error codes for failed/undelivered messages, a mix of the groups the desk sorts
# them into: unreachable handset or carrier, unknown destination, opted out, our own number.
FAILURE_CODES = ("30003", "30005", "30006", "30007", "21610", "30032")


@dataclass(frozen=True)
class Account:
    sid: str
    auth_token: str


@dataclass
class Client:
    name: str
    account: Account
    numbers: list[str] = field(default_factory=list)  # one per workflow, E.164


@dataclass(frozen=True)
class Fleet:
    seed: int
    clients: list[Client]

    @property
    def workflows(self) -> int:
        return sum(len(client.numbers) for client in self.clients)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Fleet:
        clients = [
            Client(name=c["name"], account=Account(**c["account"]), numbers=list(c["numbers"]))
            for c in data["clients"]
        ]
        return cls(seed=data["seed"], clients=clients)


def _hex(rng: random.Random, length: int = 32) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(length))


def make_fleet(*, clients: int, workflows: int, seed: int) -> Fleet:
    """``clients`` clients sharing ``workflows`` workflows round-robin."""
    if clients < 1 or workflows < clients:
        raise ValueError("need at least one client and one workflow per client")
    rng = random.Random(seed)
    made = [
        Client(name=f"Bench Client {n:04d}", account=Account("AC" + _hex(rng), _hex(rng)))
        for n in range(clients)
    ]
    for n in range(workflows):
        made[n % clients].numbers.append(f"+1555{n:07d}")
    return Fleet(seed=seed, clients=made)


def ping_requests(
    ping_codes: list[str], *, count: int, seed: int, start_share: float = 0.1
) -> Iterator[Request]:
    """``count`` pings over the codes (each code in turn, shuffled), ``start_share`` of /start."""
    if not ping_codes:
        raise ValueError("no ping codes to send pings to")
    rng = random.Random(seed)
    codes = list(ping_codes)
    for n in range(count):
        if n % len(codes) == 0:
            rng.shuffle(codes)
        code = codes[n % len(codes)]
        suffix = "/start" if rng.random() < start_share else ""
        body = f"run {n}: {rng.randint(0, 99999)} rows copied"
        yield Request("POST", f"/ping/{code}{suffix}", "text/plain", body)


def callback_params(
    *, account: Account, sender: str, message_sid: str, status: str, rng: random.Random
) -> dict[str, str]:
    """One status callback's form fields, as Twilio posts them for a message."""
    params = {
        "AccountSid": account.sid,
        "ApiVersion": "2010-04-01",
        "From": sender,
        "MessageSid": message_sid,
        "MessageStatus": status,
        "SmsSid": message_sid,
        "SmsStatus": status,
        "To": f"+1202{rng.randint(0, 9_999_999):07d}",
    }
    if status in ("failed", "undelivered"):
        params["ErrorCode"] = rng.choice(FAILURE_CODES)
    return params


def callback_requests(
    fleet: Fleet, *, base_url: str, count: int, seed: int, failure_share: float = 0.02
) -> Iterator[Request]:
    """``count`` distinct signed callbacks spread over every workflow's number.

    ``base_url`` is scheme, host and port as the server sees them (what Twilio would have
    been configured with); the signature covers it, so it must match the server's."""
    rng = random.Random(seed)
    url = base_url.rstrip("/") + CALLBACK_PATH
    senders = [(c.account, number) for c in fleet.clients for number in c.numbers]
    validators = {c.account.sid: RequestValidator(c.account.auth_token) for c in fleet.clients}
    for n in range(count):
        if n % len(senders) == 0:
            rng.shuffle(senders)
        account, sender = senders[n % len(senders)]
        if rng.random() < failure_share:
            status = rng.choice(("failed", "undelivered"))
        else:
            status = rng.choice(("sent", "delivered"))
        message_sid = f"SM{seed % 0xFFFF:04x}{n:028x}"
        params = callback_params(
            account=account, sender=sender, message_sid=message_sid, status=status, rng=rng
        )
        signature = validators[account.sid].compute_signature(url, params)
        yield Request("POST", CALLBACK_PATH, FORM, urlencode(params), twilio_signature=signature)
