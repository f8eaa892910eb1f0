"""A local vendor status server: Atlassian Statuspage's ``/api/v2/summary.json`` and a status
history Atom feed (``/history.atom``), played through a scripted sequence.

The pages are built from the real capture of Twilio's page during an incident
(``../shared/fixtures/statuspage/twilio_incident.summary.json``): its components and groups
as they were, and its incident "SMS Delivery Delays..." re-dated and replayed in steps:

- ``operational``: every component operational, no incident;
- ``outage``: Programmable Messaging's "SMS" in partial outage, the incident investigating;
- ``outage_update``: the incident identified, with a second update;
- ``resolved``: everything operational, the incident resolved with its closing update.

Each step has its own ETag and Last-Modified, and a request that sends them back gets a 304.
``misbehave`` makes the next answers fail the ways a real feed does (HTML, bad JSON, a
redirect loop, a 20 MB body, no answer at all). The server runs on 127.0.0.1 in its own thread
and records every request.
"""

from __future__ import annotations

import copy
import json
import threading
from datetime import datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from tests.fakes.loopback import RecordedRequest

FIXTURES = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures" / "statuspage"
SUMMARY = "/api/v2/summary.json"
ATOM = "/history.atom"
STEPS = ("operational", "outage", "outage_update", "resolved")
INCIDENT_ID = "r0f0vdz8vrgm"  # the capture's incident on Programmable Messaging
SMS = "yvvy3vlp4djf"  # PROGRAMMABLE MESSAGING - SMS
HUGE = 20 * 1024 * 1024


def capture(name: str = "twilio_incident") -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.summary.json").read_text(encoding="utf-8"))


def _iso(moment: datetime) -> str:
    return moment.isoformat()


class StatusScript:
    """The pages of each step, re-dated so the incident starts at ``start``."""

    def __init__(self, start: datetime) -> None:
        self.start = start
        self.page = capture()
        self.captured = next(i for i in self.page["incidents"] if i["id"] == INCIDENT_ID)
        self.dropped: set[str] = set()  # component ids taken off the page

    def _update(self, n: int, status: str, body: str) -> dict[str, Any]:
        at = _iso(self.start + timedelta(minutes=20 * n))
        return {
            "id": f"upd{n}{INCIDENT_ID}",
            "status": status,
            "body": body,
            "incident_id": INCIDENT_ID,
            "created_at": at,
            "updated_at": at,
            "display_at": at,
            "affected_components": [
                {"code": SMS, "name": "PROGRAMMABLE MESSAGING - SMS", "old_status": "operational",
                 "new_status": "partial_outage"}
            ],
        }  # fmt: skip

    def updates(self, step: str) -> list[dict[str, Any]]:
        first = self.captured["incident_updates"][-1]["body"]
        updates = [self._update(0, "investigating", first)]
        if step in ("outage_update", "resolved"):
            updates.append(self._update(1, "identified", "Our carrier partner found the cause."))
        if step == "resolved":
            updates.append(self._update(2, "resolved", "SMS delivery has recovered."))
        return list(reversed(updates))  # newest first, as Statuspage lists them

    def summary(self, step: str) -> dict[str, Any]:
        page = copy.deepcopy(self.page)
        down = step in ("outage", "outage_update")
        components = []
        for component in page["components"]:
            if component["id"] in self.dropped:
                continue
            component["status"] = "operational"
            if down and component["id"] in (SMS, "s2k3h0mkqnth"):  # SMS and its group
                component["status"] = "partial_outage"
            components.append(component)
        page["components"] = components
        page["scheduled_maintenances"] = []
        page["incidents"] = []
        if step != "operational":
            incident = copy.deepcopy(self.captured)
            sms = next(c for c in components if c["id"] == SMS) if SMS in {
                c["id"] for c in components} else None  # fmt: skip
            incident.update(
                status={"outage": "investigating", "outage_update": "identified"}.get(
                    step, "resolved"
                ),
                name="SMS delivery delays",
                started_at=_iso(self.start),
                created_at=_iso(self.start),
                resolved_at=_iso(self.start + timedelta(minutes=40)) if step == "resolved"
                else None,
                impact="major",
                incident_updates=self.updates(step),
                components=[sms] if sms else [],
            )  # fmt: skip
            page["incidents"] = [incident]
        return page

    def atom(self, step: str) -> str:
        entries = []
        if step != "operational":
            updates = self.updates(step)
            content = "".join(
                f"<p><small>{escape(u['display_at'])}</small><br>"
                f"<strong>{u['status'].capitalize()}</strong> - {escape(u['body'])}</p>"
                for u in updates
            )
            entries.append(
                f"<entry><id>tag:status.twilio.com,2005:Incident/{INCIDENT_ID}</id>"
                f"<published>{_iso(self.start)}</published>"
                f"<updated>{updates[0]['display_at']}</updated>"
                f'<link rel="alternate" type="text/html" href="https://stspg.io/{INCIDENT_ID}"/>'
                f"<title>SMS delivery delays</title>"
                f'<category term="Programmable Messaging"/>'
                f'<content type="html">{escape(content)}</content></entry>'
            )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<feed xml:lang="en-US" xmlns="http://www.w3.org/2005/Atom">'
            "<id>tag:status.twilio.com,2005:/history</id><title>Twilio Status</title>"
            f"<updated>{_iso(self.start)}</updated>{''.join(entries)}</feed>"
        )


class FakeStatusServer:
    def __init__(self, start: datetime) -> None:
        self.script = StatusScript(start)
        self.step = "operational"
        self.misbehaviour: str | None = None
        # A whole summary served as is instead of the scripted step (``serve_page``).
        self.page: dict[str, Any] | None = None
        self.page_version = 0
        self.release = threading.Event()  # lets a hanging answer go at the end
        self.huge_bytes_sent = 0
        self.huge_done = threading.Event()
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    # ---- the test's controls -----------------------------------------------------------------

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def summary_url(self) -> str:
        return self.base_url + SUMMARY

    @property
    def atom_url(self) -> str:
        return self.base_url + ATOM

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def go(self, step: str) -> None:
        assert step in STEPS, step
        self.step = step

    def serve_page(self, page: dict[str, Any]) -> None:
        """Serve this summary (another capture, re-dated by the test) with a new ETag."""
        self.page = page
        self.page_version += 1

    def misbehave(self, how: str | None) -> None:
        """html | malformed | truncated | redirect_loop | huge | huge_chunked | hang | None."""
        self.misbehaviour = how

    def drop_component(self, component_id: str) -> None:
        self.script.dropped.add(component_id)

    def __enter__(self) -> FakeStatusServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    # ---- answers -----------------------------------------------------------------------------

    def _validators(self) -> tuple[str, str]:
        index = STEPS.index(self.step)
        stamp = self.script.start + timedelta(minutes=index)
        etag = f'"{self.step}-{len(self.script.dropped)}-{self.page_version}"'
        return etag, format_datetime(stamp, usegmt=True)

    def answer(self, handler: BaseHTTPRequestHandler, path: str) -> None:
        how = self.misbehaviour
        if how == "hang":
            self.release.wait()
            return
        if how == "redirect_loop":
            target = "/a" if path != "/a" else "/b"
            return self._send(handler, 302, b"", {"Location": target})
        if how in ("huge", "huge_chunked"):
            return self._huge(handler, chunked=how == "huge_chunked")
        if how == "html":
            page = b"<!DOCTYPE html><html><body>Service Unavailable</body></html>"
            return self._send(handler, 200, page, {"Content-Type": "text/html; charset=utf-8"})
        etag, modified = self._validators()
        if handler.headers.get("If-None-Match") == etag:
            return self._send(handler, 304, b"", {"ETag": etag})
        if path == ATOM:
            body = self.script.atom(self.step).encode()
            kind = "application/atom+xml"
        elif path == SUMMARY:
            page = self.page if self.page is not None else self.script.summary(self.step)
            body = json.dumps(page).encode()
            kind = "application/json"
        else:
            return self._send(handler, 404, b"not found", {"Content-Type": "text/plain"})
        if how == "malformed":
            body = body.replace(b'"components":', b'"components";', 1)
        elif how == "truncated":
            body = body[: len(body) // 2]
        headers = {"Content-Type": kind, "ETag": etag, "Last-Modified": modified}
        return self._send(handler, 200, body, headers)

    def _send(
        self, handler: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict[str, str]
    ) -> None:
        handler.send_response(status)
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def _huge(self, handler: BaseHTTPRequestHandler, *, chunked: bool) -> None:
        """20 MB of JSON-looking bytes, declared up front or (chunked) not: either way the
        server counts what it managed to send before the client hung up."""
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        if chunked:
            handler.send_header("Transfer-Encoding", "chunked")
        else:
            handler.send_header("Content-Length", str(HUGE))
        handler.end_headers()
        block = b" " * 65536
        try:
            while self.huge_bytes_sent < HUGE:
                data = b"%x\r\n%s\r\n" % (len(block), block) if chunked else block
                handler.wfile.write(data)
                handler.wfile.flush()
                self.huge_bytes_sent += len(block)
            if chunked:
                handler.wfile.write(b"0\r\n\r\n")
        except OSError:
            pass  # the client hung up: what we wanted
        finally:
            self.huge_done.set()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                with server._lock:
                    server._requests.append(
                        RecordedRequest(
                            method="GET",
                            path=path,
                            query={},
                            headers={k.lower(): v for k, v in self.headers.items()},
                            body=b"",
                        )
                    )
                server.answer(self, path)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler
