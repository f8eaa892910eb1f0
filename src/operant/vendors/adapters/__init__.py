"""Vendor feed adapters: each kind of feed is a plug-in that turns a body into a ``Snapshot``.

An adapter only parses (bytes in, plain dataclasses out, no database, no network), so it is
tested on captured pages alone and a new kind is one module plus ``register_adapter``.
A body it cannot use raises ``FeedError`` with the message agents will read.
"""

from __future__ import annotations

from collections.abc import Callable

from operant.vendors.adapters import atom, statuspage
from operant.vendors.adapters.base import FeedError, Snapshot

Adapter = Callable[[bytes, str], Snapshot]  # (body, content type) -> snapshot
ADAPTERS: dict[str, Adapter] = {"statuspage": statuspage.parse, "atom": atom.parse}


def register_adapter(kind: str, adapter: Adapter) -> None:
    ADAPTERS[kind] = adapter


def adapter_for(kind: str) -> Adapter:
    try:
        return ADAPTERS[kind]
    except KeyError:
        raise FeedError(f"no adapter for feed kind {kind!r}") from None
