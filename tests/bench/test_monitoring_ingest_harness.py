"""bench/monitoring_ingest.py's pure parts: reading wrk's output, the request sets, the signed
Twilio callbacks, and the stored-rows check. Nothing here starts a server or times anything."""

from __future__ import annotations

from collections import Counter
from urllib.parse import parse_qsl

import bench.monitoring_ingest as harness  # puts bench/ on sys.path for the modules below
import pytest
from twilio.request_validator import RequestValidator

from _monitoring_set import CALLBACK_PATH, Fleet, callback_requests, make_fleet, ping_requests
from _wrk import Request, parse_duration_ms, parse_wrk_output

# What wrk 4.1 (Debian's) printed for a run with --latency and bench/wrk_requests.lua, with the
# socket-error and non-2xx lines wrk adds when there are some (a value in seconds is padded
# with a trailing space, as wrk prints it).
WRK_OUTPUT = """\
Running 10s test @ http://127.0.0.1:54998
  1 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     5.43ms    2.07ms   1.02s    75.10%
    Req/Sec     1.21k   408.44     2.16k    76.67%
  Latency Distribution
     50%  812.00us
     75%    6.54ms
     90%    8.23ms
     99%    1.05s\x20
  12116 requests in 10.02s, 1.90MB read
  Socket errors: connect 0, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 16
Requests/sec:   1209.18
Transfer/sec:    194.20KB
BENCH-JSON {"sent": 12124, "ok": 12100, "other": 16, "wraps": 0, "other_statuses": \
{"404": 16}, "requests": 12116, "duration_us": 10020000, "p50_us": 812, "p99_us": 1050000, \
"max_us": 1020000, "errors": {"connect": 0, "read": 2, "write": 0, "status": 16, "timeout": 3}}
"""


def test_wrk_output_is_read_with_its_units() -> None:
    figures = parse_wrk_output(WRK_OUTPUT)

    assert figures["requests_per_second"] == 1209.18
    assert figures["requests"] == 12116
    assert figures["seconds"] == pytest.approx(10.02)
    assert figures["latency_ms"] == pytest.approx(
        {"p50": 0.812, "p75": 6.54, "p90": 8.23, "p99": 1050.0}
    )
    assert figures["p99_ms"] == pytest.approx(1050.0)
    assert figures["non_2xx_3xx"] == 16
    assert figures["socket_errors"] == {"connect": 0, "read": 2, "write": 0, "timeout": 3}
    assert figures["script"]["ok"] == 12100
    assert figures["script"]["other_statuses"] == {"404": 16}


@pytest.mark.parametrize(
    ("text", "ms"), [("950.00us", 0.95), ("3.20ms", 3.2), ("2.00s", 2000.0), ("1.50m", 90_000.0)]
)
def test_wrk_durations_in_milliseconds(text: str, ms: float) -> None:
    assert parse_duration_ms(text) == pytest.approx(ms)


@pytest.mark.parametrize(
    "missing",
    ["Latency Distribution", "BENCH-JSON", "Requests/sec:"],
)
def test_wrk_output_without_a_reported_figure_is_refused(missing: str) -> None:
    broken = "\n".join(line for line in WRK_OUTPUT.splitlines() if missing not in line)
    with pytest.raises(ValueError, match="wrk's output"):
        parse_wrk_output(broken)


def test_a_request_line_is_five_tab_separated_fields_and_refuses_a_tab_inside() -> None:
    line = Request("POST", "/ping/x", "text/plain", "run 1").line()
    assert line.split("\t") == ["POST", "/ping/x", "text/plain", "-", "run 1"]
    with pytest.raises(ValueError, match="holds a tab"):
        Request("POST", "/ping/x", "text/plain", "a\tb").line()


def test_pings_reach_every_workflow_with_a_small_body() -> None:
    codes = [f"code-{n}" for n in range(50)]
    pings = list(ping_requests(codes, count=500, seed=1))

    per_code = Counter(p.path.removeprefix("/ping/").removesuffix("/start") for p in pings)
    assert set(per_code) == set(codes)
    assert set(per_code.values()) == {10}  # each code in turn: spread evenly
    assert all(p.method == "POST" and 0 < len(p.body) < 100 for p in pings)
    assert any(p.path.endswith("/start") for p in pings)


def _fleet() -> Fleet:
    return make_fleet(clients=3, workflows=9, seed=5)


def test_every_callback_is_signed_as_twilio_signs_and_verifies_with_its_account_token() -> None:
    fleet = _fleet()
    tokens = {c.account.sid: c.account.auth_token for c in fleet.clients}
    base = "http://127.0.0.1:8123"
    callbacks = list(callback_requests(fleet, base_url=base, count=200, seed=2))

    assert len({c.body for c in callbacks}) == 200  # distinct: none is a replay
    for callback in callbacks:
        params = dict(parse_qsl(callback.body, keep_blank_values=True))
        validator = RequestValidator(tokens[params["AccountSid"]])
        assert callback.path == CALLBACK_PATH
        assert callback.content_type == "application/x-www-form-urlencoded"
        assert validator.validate(base + CALLBACK_PATH, params, callback.twilio_signature)
        # Signed for this server and these fields only: another port or a changed status fails.
        assert not validator.validate(
            "http://127.0.0.1:8124" + CALLBACK_PATH, params, callback.twilio_signature
        )
        forged = {
            **params,
            "MessageStatus": "undelivered" if params["MessageStatus"] != "undelivered" else "sent",
        }
        assert not validator.validate(base + CALLBACK_PATH, forged, callback.twilio_signature)


def test_callbacks_come_from_the_fleets_numbers_with_error_codes_only_on_failures() -> None:
    fleet = _fleet()
    numbers = {n: c.account.sid for c in fleet.clients for n in c.numbers}
    callbacks = list(
        callback_requests(fleet, base_url="http://x", count=300, seed=3, failure_share=0.5)
    )
    fields = [dict(parse_qsl(c.body)) for c in callbacks]

    assert {f["From"] for f in fields} == set(numbers)
    assert all(numbers[f["From"]] == f["AccountSid"] for f in fields)
    assert all(len(f["MessageSid"]) == 34 and f["MessageSid"].startswith("SM") for f in fields)
    failed = [f for f in fields if f["MessageStatus"] in ("failed", "undelivered")]
    assert failed
    assert all("ErrorCode" in f for f in failed)
    assert not any("ErrorCode" in f for f in fields if f not in failed)


def test_the_fleet_survives_its_trip_to_the_seeding_process() -> None:
    fleet = _fleet()
    assert Fleet.from_dict(fleet.as_dict()) == fleet
    assert fleet.workflows == 9


def _run(ok: int, warm_ok: int, unanswered: int) -> dict:
    return {"ok": ok, "warmup": {"ok": warm_ok}, "unanswered": unanswered}


def test_a_2xx_without_its_row_is_a_lost_ping() -> None:
    check = harness.stored_check(_run(ok=1000, warm_ok=200, unanswered=8), stored=1198)
    assert check["lost"] == 2
    assert check["stored_problems"] == ["2 rows missing for 1200 2xx answers"]


def test_rows_for_requests_left_unanswered_at_the_deadline_are_not_a_problem() -> None:
    check = harness.stored_check(_run(ok=1000, warm_ok=200, unanswered=8), stored=1205)
    assert (check["lost"], check["extra"], check["stored_problems"]) == (0, 5, [])


def test_more_extra_rows_than_unanswered_requests_is_a_problem() -> None:
    check = harness.stored_check(_run(ok=1000, warm_ok=200, unanswered=3), stored=1205)
    assert check["stored_problems"] == ["5 rows beyond the 2xx answers, but only 3 unanswered"]
