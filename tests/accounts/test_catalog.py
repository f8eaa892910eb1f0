from decimal import Decimal

import pytest

from operant.accounts.catalog import catalog_seed
from operant.accounts.models import Integration, ServicePackage

pytestmark = pytest.mark.django_db


def test_the_migration_seeds_the_three_standard_packages(catalog):
    packages = {p.key: p for p in ServicePackage.objects.all()}
    assert set(packages) == {"starter", "growth", "omnichannel"}
    assert packages["starter"].monthly_retainer == Decimal("300.00")
    assert packages["growth"].integration_keys() == ["twilio_sms", "twilio_voice"]
    assert packages["omnichannel"].integration_keys() == [
        "instagram_messaging",
        "twilio_sms",
        "twilio_voice",
    ]


def test_integrations_name_their_policy_vendor(catalog):
    vendors = dict(Integration.objects.values_list("key", "vendor_key"))
    assert vendors["twilio_sms"] == "twilio"
    assert vendors["instagram_messaging"] == "meta"
    assert vendors["webhooks"] == ""


def test_seeding_again_changes_nothing(catalog):
    before = list(ServicePackage.objects.values().order_by("key"))
    catalog_seed(Integration, ServicePackage)
    assert list(ServicePackage.objects.values().order_by("key")) == before
    assert Integration.objects.count() == 5
