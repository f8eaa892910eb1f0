"""A local fake of Twilio's REST API, for the official ``twilio`` client.

``FakeTwilioApi`` is a real HTTP server on 127.0.0.1 (see ``loopback``) with a small route
table; ``FakeTwilioHttpClient`` is the official client's HTTP client with every
``https://<domain>.twilio.com/...`` URL rewritten to ``<fake>/<domain>/...``, so the route
table sees which Twilio domain was meant (api, studio, ...)::

    with FakeTwilioApi(accounts={SID: TOKEN}) as api:
        client = twilio.rest.Client(SID, TOKEN, http_client=api.http_client())
        client.messages.create(to="+15005550006", from_="+15005550001", body="hi")
        [request] = api.requests

Answers follow Twilio's documented JSON: resources in snake_case, errors as
``{"code", "message", "more_info", "status"}``. To serve another resource, ``add_route`` a
handler for its method, domain and path (a regex with named groups).
"""

from __future__ import annotations

import base64
import itertools
import re
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response

from tests.fakes.loopback import LoopbackServer, RecordedRequest, Reply

API = "api.twilio.com"
ACCOUNT = r"/2010-04-01/Accounts/(?P<account_sid>AC[0-9a-fA-F]{32})"
MESSAGE_BODY_LIMIT = 1600
# A GSM-7 segment holds 160 characters alone, 153 when the message is split (the rest is the
# concatenation header).
_SINGLE_SEGMENT, _MULTI_SEGMENT = 160, 153
_E164 = re.compile(r"\+[1-9]\d{1,14}")

Handler = Callable[["FakeTwilioApi", RecordedRequest, re.Match[str]], Reply]


def twilio_error(status: int, code: int, message: str) -> Reply:
    """An error the way Twilio's REST API writes one."""
    return Reply.json(
        status,
        {
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        },
    )


class FakeTwilioApi:
    """Twilio's REST API on loopback: routes, recorded requests and scripted failures.

    ``accounts`` maps account sids to auth tokens; requests with other credentials get
    Twilio's 401 (error 20003). Without it any credentials are accepted.
    """

    def __init__(
        self,
        *,
        accounts: dict[str, str] | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.accounts = accounts
        self.clock = clock
        self.messages: dict[str, dict[str, Any]] = {}
        self._routes: list[tuple[str, str, re.Pattern[str], Handler]] = []
        self._scripted: list[Reply] = []
        self._lock = threading.Lock()
        self._sids = itertools.count(1)
        self._server = LoopbackServer(self._answer)
        self.add_route("POST", API, ACCOUNT + r"/Messages\.json", _message_create)
        self.add_route("GET", API, ACCOUNT + r"/Messages/(?P<sid>SM[0-9a-f]{32})\.json", _message)

    # -- the server ----------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return self._server.base_url

    @property
    def requests(self) -> list[RecordedRequest]:
        return self._server.requests

    def start(self) -> FakeTwilioApi:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self) -> FakeTwilioApi:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def http_client(self, **kwargs: Any) -> FakeTwilioHttpClient:
        """An HTTP client for ``twilio.rest.Client(..., http_client=...)`` aimed at this fake."""
        return FakeTwilioHttpClient(self.base_url, **kwargs)

    # -- what it answers -----------------------------------------------------------------------

    def add_route(self, method: str, domain: str, path: str, handler: Handler) -> None:
        """Answer ``method`` on ``https://<domain><path>`` (``path`` a regex matched whole)
        with ``handler(api, request, match)``. Later routes win over earlier ones."""
        with self._lock:
            self._routes.insert(0, (method.upper(), domain, re.compile(path), handler))

    def fail_next(self, *, status: int, code: int, message: str, times: int = 1) -> None:
        """Answer the next ``times`` requests, whatever they ask, with this Twilio error."""
        with self._lock:
            self._scripted.extend([twilio_error(status, code, message)] * times)

    def new_sid(self, prefix: str) -> str:
        """A resource sid as Twilio writes them: two letters and 32 hex digits."""
        return f"{prefix}{next(self._sids):032x}"

    def requests_to(self, domain: str, path: str) -> list[RecordedRequest]:
        """The requests made to ``https://<domain><path regex>``."""
        pattern = re.compile("/" + re.escape(domain) + path)
        return [r for r in self.requests if pattern.fullmatch(r.path)]

    def _answer(self, request: RecordedRequest) -> Reply:
        domain, _, rest = request.path.lstrip("/").partition("/")
        path = "/" + rest
        with self._lock:
            if self._scripted:
                return self._scripted.pop(0)
            routes = list(self._routes)
        if not self._authenticated(request):
            return twilio_error(401, 20003, "Authenticate")
        for method, route_domain, pattern, handler in routes:
            match = pattern.fullmatch(path)
            if match and route_domain == domain and method == request.method:
                return handler(self, request, match)
        return twilio_error(404, 20404, f"The requested resource {path} was not found")

    def _authenticated(self, request: RecordedRequest) -> bool:
        if self.accounts is None:
            return True
        scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return False
        user, _, password = base64.b64decode(encoded).decode().partition(":")
        return self.accounts.get(user) == password


# -- the Messages resource ------------------------------------------------------------------------


def _segments(body: str) -> int:
    if len(body) <= _SINGLE_SEGMENT:
        return 1
    return -(-len(body) // _MULTI_SEGMENT)


def _message_create(api: FakeTwilioApi, request: RecordedRequest, match: re.Match[str]) -> Reply:
    to = request.form_value("To")
    sender = request.form_value("From")
    body = request.form_value("Body") or ""
    if not to:
        return twilio_error(400, 21604, "A 'To' phone number is required.")
    if not sender and not request.form_value("MessagingServiceSid"):
        return twilio_error(400, 21603, "A 'From' phone number is required.")
    if not body and not request.form_value("MediaUrl"):
        return twilio_error(400, 21602, "Message body is required.")
    if not _E164.fullmatch(to):
        return twilio_error(400, 21211, f"Invalid 'To' Phone Number: {to}")
    if len(body) > MESSAGE_BODY_LIMIT:
        return twilio_error(
            400, 21617, "The concatenated message body exceeds the 1600 character limit."
        )
    account_sid = match["account_sid"]
    sid = api.new_sid("SM")
    now = format_datetime(api.clock().astimezone(UTC), usegmt=False)
    uri = f"/2010-04-01/Accounts/{account_sid}/Messages/{sid}"
    message = {
        "account_sid": account_sid,
        "api_version": "2010-04-01",
        "body": body,
        "date_created": now,
        "date_sent": None,
        "date_updated": now,
        "direction": "outbound-api",
        "error_code": None,
        "error_message": None,
        "from": sender,
        "messaging_service_sid": request.form_value("MessagingServiceSid"),
        "num_media": "0",
        "num_segments": str(_segments(body)),
        "price": None,
        "price_unit": "USD",
        "sid": sid,
        "status": "queued",
        "subresource_uris": {"media": f"{uri}/Media.json"},
        "to": to,
        "uri": f"{uri}.json",
    }
    api.messages[sid] = message
    return Reply.json(201, message)


def _message(api: FakeTwilioApi, request: RecordedRequest, match: re.Match[str]) -> Reply:
    message = api.messages.get(match["sid"])
    if message is None or message["account_sid"] != match["account_sid"]:
        return twilio_error(404, 20404, f"The requested resource {request.path} was not found")
    return Reply.json(200, message)


# -- the client side ------------------------------------------------------------------------------


class FakeTwilioHttpClient(TwilioHttpClient):
    """The official HTTP client, sending Twilio's URLs to the fake instead.

    ``https://api.twilio.com/2010-04-01/...`` becomes ``<base>/api.twilio.com/2010-04-01/...``;
    any other URL is refused, so a test can never reach the real network.
    """

    def __init__(self, base_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/")

    def fake_url(self, url: str) -> str:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if parts.scheme != "https" or not (host == "twilio.com" or host.endswith(".twilio.com")):
            raise ValueError(f"not a Twilio API URL: {url}")
        base = urlsplit(self.base_url)
        return urlunsplit(
            (base.scheme, base.netloc, f"/{host}{parts.path}", parts.query, parts.fragment)
        )

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Response:
        return super().request(method, self.fake_url(url), *args, **kwargs)
