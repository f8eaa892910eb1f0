"""`operant vendors`: add-feed, poll --once, incidents --json, report, post; one-line errors."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from operant.vendors.models import ComponentMapping, VendorFeed

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("vendors", *args, stdout=out)
    return out.getvalue()


def test_add_feed_poll_and_list_incidents_with_their_clients(status_server, clients):
    out = run(
        "add-feed", "--vendor", "twilio", "--kind", "statuspage", "--url",
        status_server.summary_url, "--map", "PROGRAMMABLE MESSAGING=twilio_sms",
    )  # fmt: skip
    feed = VendorFeed.objects.get()
    assert out.strip() == f"feed {feed.pk}: twilio statuspage {status_server.summary_url}"
    assert ComponentMapping.objects.filter(component="PROGRAMMABLE MESSAGING").exists()

    assert "0 change(s)" in run("poll", "--once")
    assert "not modified" in run("poll", "--once")
    status_server.go("outage")
    out = run("poll", "--once")
    assert "SMS: operational -> partial_outage" in out
    assert "opened: SMS delivery delays" in out

    (incident,) = json.loads(run("incidents", "--json"))
    assert incident["status"] == "investigating"
    assert incident["integrations"] == ["twilio_sms"]
    assert incident["clients"] == ["acme-dental", "cobalt-gym"]
    assert isinstance(incident["id"], int)


def test_poll_prints_a_failing_feed(status_server, catalog):
    run("add-feed", "--vendor", "twilio", "--kind", "atom", "--url", status_server.atom_url)
    status_server.misbehave("html")
    assert "failed: the feed answered HTML instead of RSS/Atom" in run("poll", "--once")


def test_report_and_post_a_manual_incident(clients):
    data = json.loads(
        run(
            "report", "--vendor", "twilio", "--title", "Voice drops", "--integration",
            "twilio_voice", "--json",
        )
    )  # fmt: skip
    assert data["clients"] == ["delta-vet", "echo-spa"]
    data = json.loads(
        run("post", str(data["id"]), "--status", "resolved", "--body", "Ok", "--json")
    )
    assert data["status"] == "resolved"
    assert run("incidents", "--open").strip() == "no vendor incidents"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add-feed", "--vendor", "acme", "--kind", "atom", "--url", "https://x.test/a"],
         "unknown vendor 'acme'"),
        (["add-feed", "--vendor", "twilio", "--kind", "rss2", "--url", "https://x.test/a"],
         "unknown feed kind 'rss2'"),
        (["add-feed", "--vendor", "twilio", "--kind", "atom", "--url", "ftp://x.test/a"],
         r"expected an http\(s\) URL"),
        (["add-feed", "--vendor", "twilio", "--kind", "atom", "--url", "https://x.test/a",
          "--map", "SMS"], "expected COMPONENT=INTEGRATION"),
        (["add-feed", "--vendor", "twilio", "--kind", "atom", "--url", "https://x.test/a",
          "--map", "SMS=whatsapp"], "'whatsapp' is not an integration of twilio"),
        (["post", "999", "--status", "resolved", "--body", "x"], "no vendor incident '999'"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_and_writes_nothing(catalog, args, message):
    with pytest.raises(CommandError, match=message) as caught:
        run(*args)
    assert "\n" not in str(caught.value)
    assert not VendorFeed.objects.exists()
