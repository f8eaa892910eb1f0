"""One conditional GET of a vendor feed, within limits: a feed is outside input.

Every way a fetch can go wrong becomes a ``FeedError`` whose message says what happened, for
the agent reading the feed's ``last_error``; nothing here raises anything else for a bad feed.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from operant.vendors.adapters.base import FeedError

# A summary.json is tens of kilobytes; a body past this is not a status page (and reading it
# all would let one feed fill the worker's memory).
MAX_BODY_BYTES = 2 * 1024 * 1024
MAX_REDIRECTS = 5
USER_AGENT = "OperantDesk-status-poller/1"


@dataclass(frozen=True)
class Fetched:
    """``body`` is None for a 304: the page has not changed since the validators we sent."""

    body: bytes | None
    content_type: str = ""
    etag: str = ""
    last_modified: str = ""


def feed_fetch(
    *,
    url: str,
    etag: str = "",
    last_modified: str = "",
    timeout: float = 10.0,
    max_bytes: int = MAX_BODY_BYTES,
    transport: httpx.BaseTransport | None = None,
) -> Fetched:
    headers = {"User-Agent": USER_AGENT, "Accept": "application/json, application/xml;q=0.9"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        with (
            httpx.Client(
                timeout=timeout,
                follow_redirects=True,
                max_redirects=MAX_REDIRECTS,
                transport=transport,
            ) as client,
            client.stream("GET", url, headers=headers) as response,
        ):
            if response.status_code == 304:
                return Fetched(body=None)
            if response.status_code != 200:
                raise FeedError(f"the feed answered HTTP {response.status_code}")
            body = _read_capped(response, max_bytes)
            return Fetched(
                body=body,
                content_type=response.headers.get("Content-Type", ""),
                etag=response.headers.get("ETag", ""),
                last_modified=response.headers.get("Last-Modified", ""),
            )
    except httpx.TooManyRedirects:
        raise FeedError(f"more than {MAX_REDIRECTS} redirects (a redirect loop?)") from None
    except httpx.TimeoutException:
        raise FeedError(f"no answer within {timeout:g} s (timed out)") from None
    except httpx.RemoteProtocolError as exc:
        # A server that closes before the promised Content-Length: the body is truncated.
        raise FeedError(f"the connection broke mid-answer: {exc}") from None
    except httpx.HTTPError as exc:
        raise FeedError(f"could not fetch the feed: {type(exc).__name__}: {exc}") from None


def _read_capped(response: httpx.Response, max_bytes: int) -> bytes:
    """The body, refused as soon as it is known to pass ``max_bytes``: from the declared
    Content-Length before reading any of it, else while streaming."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FeedError(_too_big(f"declares {int(declared):,} bytes", max_bytes))
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise FeedError(_too_big(f"passed {max_bytes:,} bytes", max_bytes))
        chunks.append(chunk)
    return b"".join(chunks)


def _too_big(what: str, max_bytes: int) -> str:
    return f"the answer {what}, over the {max_bytes // 1024:,} KiB limit; not read"
