"""Each way a feed goes wrong is recorded on the feed with a clear message, backs the feed off,
and never stops the worker."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from operant.vendors.jobs import feeds_poll_due
from operant.vendors.models import ComponentStatus, VendorFeed, VendorIncident
from operant.vendors.polling import MAX_BACKOFF, poll_delay
from operant.vendors.services import feed_add
from tests.fakes.status_page import HUGE, SMS
from tests.waiting import wait_until

pytestmark = pytest.mark.django_db


def poll_at(minutes: float) -> VendorFeed:
    now = timezone.now() + timedelta(minutes=minutes)
    feeds_poll_due(now=now)
    return VendorFeed.objects.get()


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("html", "the feed answered HTML instead of JSON (Content-Type: text/html"),
        ("malformed", "malformed JSON at line 1, column"),
        ("truncated", "truncated JSON: the body ends after"),
        ("redirect_loop", "more than 5 redirects (a redirect loop?)"),
        ("huge", "the answer declares 20,971,520 bytes, over the 2,048 KiB limit; not read"),
    ],
)
def test_a_bad_answer_is_recorded_on_the_feed(status_server, statuspage_feed, how, message):
    status_server.misbehave(how)
    feed = poll_at(0)
    assert message in feed.last_error
    assert feed.consecutive_failures == 1
    assert not VendorIncident.objects.exists()
    assert feed.etag == ""  # nothing kept from a failed answer


def test_a_huge_body_without_a_length_is_cut_off_while_streaming(status_server, statuspage_feed):
    status_server.misbehave("huge_chunked")
    feed = poll_at(0)
    assert "passed 2,097,152 bytes, over the 2,048 KiB limit" in feed.last_error
    wait_until(status_server.huge_done.is_set, timeout=30, what="the server to stop sending")
    assert status_server.huge_bytes_sent < HUGE  # the client hung up, it did not read it all


def test_a_feed_that_never_answers_times_out(status_server, statuspage_feed):
    VendorFeed.objects.update(timeout_seconds=0.2)
    status_server.misbehave("hang")
    feed = poll_at(0)
    assert feed.last_error == "no answer within 0.2 s (timed out)"


def test_failures_back_off_exponentially_and_a_success_clears_them(status_server, statuspage_feed):
    status_server.misbehave("html")
    now = timezone.now()
    for failures, minutes in [(1, 0), (2, 10), (3, 30)]:
        feed = poll_at(minutes)
        assert feed.consecutive_failures == failures
        expected = now + timedelta(minutes=minutes) + timedelta(seconds=120 * 2**failures)
        assert abs((feed.next_poll_at - expected).total_seconds()) < 5
    assert poll_delay(poll_seconds=120, failures=40) == MAX_BACKOFF
    status_server.misbehave(None)
    feed = poll_at(60)
    assert (feed.consecutive_failures, feed.last_error) == (0, "")
    assert feed.etag


def test_a_failing_feed_does_not_stop_the_others(status_server, statuspage_feed, component_map):
    broken = feed_add(
        vendor_key="twilio", kind="statuspage", url=status_server.base_url + "/nowhere",
        now=timezone.now(),
    )  # fmt: skip
    status_server.go("outage")
    assert feeds_poll_due(now=timezone.now()) == 2
    broken.refresh_from_db()
    assert broken.last_error == "the feed answered HTTP 404"
    assert VendorIncident.objects.get().external_id


def test_a_component_that_disappears_is_named_to_agents_and_leaves_the_incident_open(
    status_server, statuspage_feed
):
    status_server.go("outage")
    poll_at(0)
    status_server.drop_component(SMS)
    feed = poll_at(3)
    assert "component 'SMS' (yvvy3vlp4djf) is no longer on the page" in feed.last_warning
    assert feed.last_error == ""
    assert ComponentStatus.objects.get(component_id=SMS).missing_since is not None
    assert VendorIncident.objects.get().status == "investigating"


def test_a_clock_that_moves_back_still_polls_and_says_so(status_server, statuspage_feed):
    poll_at(30)
    feed = poll_at(0)  # half an hour earlier than the last poll: not due by next_poll_at
    assert feed.last_polled_at < feed.next_poll_at
    assert "the clock moved back" in feed.last_warning
    assert len(status_server.requests) == 2


def test_a_feed_not_due_is_not_polled(status_server, statuspage_feed):
    poll_at(0)
    assert feeds_poll_due(now=timezone.now() + timedelta(seconds=30)) == 0
    assert len(status_server.requests) == 1


def test_a_304_changes_nothing_and_sends_the_validators_back(status_server, statuspage_feed):
    status_server.go("outage")
    first = poll_at(0)
    incident = VendorIncident.objects.get()
    second = poll_at(3)
    request = status_server.requests[-1]
    assert request.headers["if-none-match"] == first.etag
    assert request.headers["if-modified-since"] == first.last_modified
    assert second.etag == first.etag
    assert VendorIncident.objects.get().updated_at == incident.updated_at
    assert incident.updates.count() == 1
