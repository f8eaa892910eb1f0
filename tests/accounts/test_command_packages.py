import json
from io import StringIO

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_packages_list_json_works_on_a_fresh_database(catalog):
    out = StringIO()
    call_command("packages", "list", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert [item["key"] for item in data] == ["starter", "growth", "omnichannel"]
    starter = data[0]
    assert starter["monthly_retainer"] == "300.00"
    assert starter["currency"] == "USD"
    assert starter["integrations"] == ["twilio_sms"]
    assert starter["name"] == "Starter"
    assert data[2]["integrations"] == ["instagram_messaging", "twilio_sms", "twilio_voice"]


def test_packages_list_text_names_each_package(catalog):
    out = StringIO()
    call_command("packages", "list", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("starter")
    assert "twilio_sms, twilio_voice" in lines[1]
