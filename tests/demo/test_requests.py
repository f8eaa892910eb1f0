from datetime import UTC, datetime

import pytest

from operant.accounts.demo import demo_seed
from operant.demo.requests import REQUESTS, demo_requests_seed
from operant.desk.models import Ticket

pytestmark = pytest.mark.django_db


def test_demo_requests_are_triaged_through_the_pipeline_once() -> None:
    demo_seed(password="operant-demo")
    now = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)
    assert demo_requests_seed(now=now) == len(REQUESTS)
    assert demo_requests_seed(now=now) == 0  # a second run adds nothing
    classes = set(Ticket.objects.values_list("request_class", flat=True))
    assert {"outage", "adjustment", "out_of_scope", "not_covered", "general"} <= classes
    assert Ticket.objects.filter(client=None).count() == 1  # the unknown sender
