"""pipeline_warm_up: what the intake commands load before the first mail."""

from __future__ import annotations

import pytest
from django.template.loader import get_template

from operant.desk.emails import ACK_TEMPLATE
from operant.mail.warmup import pipeline_warm_up
from operant.policy.loader import current_policy
from operant.policy.models import PolicyVersion

pytestmark = pytest.mark.django_db


def test_warm_up_records_the_policy_in_force_and_finds_the_template() -> None:
    assert not PolicyVersion.objects.exists()

    pipeline_warm_up()

    assert PolicyVersion.objects.filter(version=current_policy().version).count() == 1
    assert get_template(ACK_TEMPLATE) is not None


def test_warm_up_twice_records_the_version_once() -> None:
    pipeline_warm_up()
    pipeline_warm_up()
    assert PolicyVersion.objects.count() == 1
