import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from operant.accounts.models import Client

pytestmark = pytest.mark.django_db

OPERANT = Path(sys.executable).with_name("operant")


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_add_prints_the_new_client_as_json(catalog):
    data = json.loads(
        run(
            "clients", "add", "--name", "Comfort Air HVAC", "--package", "growth",
            "--timezone", "America/Phoenix",
            "--email", "Dispatch@ComfortAir.example", "--email", "office@comfortair.example",
            "--domain", "comfortair.example", "--json",
        )
    )  # fmt: skip
    assert data == {
        "slug": "comfort-air-hvac",
        "name": "Comfort Air HVAC",
        "package": "growth",
        "timezone": "America/Phoenix",
        "standing": "current",
        "billing_email": "dispatch@comfortair.example",
        "emails": ["dispatch@comfortair.example", "office@comfortair.example"],
        "domains": ["comfortair.example"],
        "integrations": ["twilio_sms", "twilio_voice"],
    }
    assert Client.objects.get(slug="comfort-air-hvac").contacts.count() == 2


def test_add_without_json_prints_one_line(catalog):
    assert run("clients", "add", "--name", "Solo", "--package", "starter").strip() == (
        "created client solo (Solo, Starter)"
    )


def test_list_prints_every_client_in_the_same_shape(client_a, client_c):
    data = json.loads(run("clients", "list", "--json"))
    assert [item["slug"] for item in data] == ["acme-dental", "cobalt-gym"]
    assert data[1]["timezone"] == "Europe/London"
    assert data[1]["integrations"] == ["twilio_sms"]
    assert data[0]["domains"] == ["acme-dental.example"]


def test_list_on_an_empty_desk_is_an_empty_array(catalog):
    assert json.loads(run("clients", "list", "--json")) == []


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--package", "gold"], "unknown package 'gold'; known packages: starter, growth"),
        (["--package", "starter", "--timezone", "EST5"], "'EST5' is not an IANA time zone"),
        (["--package", "starter", "--email", "bob@"], "'bob@' is not a valid email address"),
        (
            ["--package", "starter", "--email", "alice@acme-dental.example"],
            "alice@acme-dental.example is already a contact of Acme Dental",
        ),
        (["--package", "starter", "--domain", "acme-dental.example"], "already belongs to"),
    ],
)
def test_bad_input_is_one_clear_command_error(client_a, extra, message):
    with pytest.raises(CommandError, match=message):
        run("clients", "add", "--name", "New Co", *extra)
    assert Client.objects.count() == 1


def test_an_action_is_required():
    with pytest.raises(CommandError):
        run("clients")


def test_the_installed_command_fails_in_one_line_without_a_traceback(tmp_path):
    env = {**os.environ, "OPERANT_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    migrate = subprocess.run(
        [OPERANT, "migrate", "--skip-checks", "-v0"], env=env, capture_output=True, text=True
    )
    assert migrate.returncode == 0, migrate.stderr
    result = subprocess.run(
        [OPERANT, "clients", "add", "--name", "Acme", "--package", "platinum", "--json"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "unknown package 'platinum'" in lines[0]
    assert "Traceback" not in result.stderr
