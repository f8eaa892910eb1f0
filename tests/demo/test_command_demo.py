from io import StringIO

import pytest
from django.core.management import call_command

from operant.accounts.models import Client, ClientDomain, Contact, User

pytestmark = pytest.mark.django_db


def demo() -> str:
    out = StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


def snapshot() -> dict[str, list]:
    return {
        "clients": list(Client.objects.values().order_by("id")),
        "contacts": list(Contact.objects.values().order_by("id")),
        "domains": list(ClientDomain.objects.values().order_by("id")),
        "users": list(User.objects.values().order_by("id")),
    }


def test_demo_seeds_a_believable_agency(catalog):
    output = demo()
    clients = Client.objects.all()
    assert 10 <= clients.count() <= 14
    assert set(clients.values_list("package__key", flat=True)) == {
        "starter",
        "growth",
        "omnichannel",
    }
    assert clients.filter(standing="past_due").count() == 1
    assert clients.filter(standing="suspended").count() == 1
    zones = set(clients.values_list("timezone", flat=True))
    assert {"Europe/London", "Australia/Sydney", "America/New_York"} <= zones
    for client in clients:
        assert 1 <= client.contacts.count() <= 3
    assert ClientDomain.objects.exists()
    roles = dict(User.objects.filter(email__endswith="@operant.test").values_list("email", "role"))
    assert roles == {
        "agent@operant.test": "agent",
        "operator@operant.test": "operator",
        "admin@operant.test": "admin",
    }
    admin = User.objects.get(email="admin@operant.test")
    assert admin.is_superuser
    assert admin.is_staff
    portal = Contact.objects.filter(user__isnull=False)
    assert portal.values("client").distinct().count() == 2
    assert all(c.user.check_password("operant-demo") for c in portal)
    assert "http://127.0.0.1:8000/login" in output
    assert "operant-demo" in output
    assert "agent@operant.test" in output
    assert portal.first().email in output


def test_demo_twice_changes_nothing(catalog):
    demo()
    before = snapshot()
    output = demo()
    assert snapshot() == before
    assert "nothing to do" in output


def test_demo_addresses_cannot_reach_real_mailboxes(catalog):
    demo()
    for email in Contact.objects.values_list("email", flat=True):
        assert email.endswith(".example"), email
    for domain in ClientDomain.objects.values_list("domain", flat=True):
        assert domain.endswith(".example"), domain


def test_demo_seeds_monitored_workflows_in_every_state_once(catalog):
    from django.utils import timezone

    from operant.desk.models import Ticket
    from operant.monitoring.jobs import flips_process_due, workflows_process_due
    from operant.monitoring.models import Workflow

    output = demo()
    assert "monitored workflows" in output
    now = timezone.now()
    workflows_process_due(now=now)
    flips_process_due(now=now)
    states = set(Workflow.objects.values_list("state", flat=True))
    assert {"up", "late", "down", "paused"} <= states
    down = Workflow.objects.get(state="down")
    assert down.outage_ticket is not None
    assert Ticket.objects.filter(source="monitoring").count() == 1
    count = Workflow.objects.count()
    demo()
    assert Workflow.objects.count() == count
