import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from operant.accounts.models import Client, ClientDomain, Contact, ServicePackage, User
from operant.desk.context import client_contexts
from operant.policy.loader import current_policy

pytestmark = pytest.mark.django_db


def test_staff_roles_are_agents_and_client_role_is_a_client_user():
    for role in ("agent", "operator", "admin"):
        user = User(username=role, role=role)
        assert user.is_agent
        assert not user.is_client_user
    client_user = User(username="c", role="client")
    assert client_user.is_client_user
    assert not client_user.is_agent


def test_an_inactive_user_is_neither_agent_nor_client_user():
    assert not User(username="a", role="agent", is_active=False).is_agent
    assert not User(username="c", role="client", is_active=False).is_client_user


def test_a_user_without_a_role_gets_the_least_privileged_one():
    assert User().role == User.Role.CLIENT


def test_createsuperuser_makes_an_admin():
    user = User.objects.create_superuser("root", "Root@Operant.test", "pw-long-enough")
    assert user.role == User.Role.ADMIN
    assert user.is_agent
    assert user.email == "root@operant.test"


def test_user_email_is_unique_ignoring_case():
    User.objects.create_user("one", "Same@Example.com")
    with pytest.raises(IntegrityError):
        User.objects.create(username="two", email="SAME@example.COM")


def test_several_users_may_have_no_email():
    User.objects.create_user("one")
    User.objects.create_user("two")
    assert User.objects.filter(email="").count() == 2


def test_get_by_email_ignores_case_and_spaces(agent):
    assert User.objects.get_by_email("  AGENT@operant.test ") == agent
    assert User.objects.get_by_email("nobody@operant.test") is None


def test_includes_integration_follows_the_package(client_a, client_c):
    # growth: SMS and voice; starter: SMS only
    assert client_a.includes_integration("twilio_voice")
    assert client_a.includes_integration("twilio_sms")
    assert not client_a.includes_integration("instagram_messaging")
    assert not client_c.includes_integration("twilio_voice")


def test_integration_coverage_lists_the_whole_catalog(client_c):
    coverage = {
        integration.key: included for integration, included in client_c.integration_coverage()
    }
    assert coverage["twilio_sms"] is True
    assert coverage["twilio_voice"] is False
    assert {"instagram_messaging", "whatsapp", "webhooks"} <= coverage.keys()


def test_package_coverage_of_many_packages_costs_two_queries(
    client_a, client_c, django_assert_num_queries
):
    packages = [client_a.package_id, client_c.package_id]
    with django_assert_num_queries(2):
        coverage = ServicePackage.coverage_of(packages)
    assert coverage[client_a.package_id].marked() == client_a.integration_coverage()
    assert coverage[client_c.package_id].marked() == client_c.integration_coverage()
    assert ServicePackage.coverage_of([]) == {}


def test_the_classifier_sees_the_coverage_the_client_pages_show(client_a, client_c):
    contexts = client_contexts([client_a, client_c], current_policy())
    for client in (client_a, client_c):
        shown = {i.key for i, included in client.integration_coverage() if included}
        assert {i.key for i in contexts[client.pk].included} == shown


def test_local_time_is_on_the_clients_wall_clock(client_c):
    now = dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC)
    local = client_c.local_time(now)
    assert local.tzinfo == ZoneInfo("Europe/London")
    assert (local.hour, local.minute) == (13, 0)  # British Summer Time


def test_timezone_field_rejects_a_name_that_is_not_iana(client_a):
    client_a.timezone = "Mars/Olympus_Mons"
    with pytest.raises(ValidationError, match="not an IANA time zone"):
        client_a.full_clean()


def test_good_standing_means_current_or_reinstated(client_a):
    for standing, good in [
        ("current", True),
        ("reinstated", True),
        ("past_due", False),
        ("suspended", False),
    ]:
        client_a.standing = standing
        assert client_a.is_in_good_standing is good


def test_contact_email_and_domain_are_stored_lower_case(client_a):
    contact = Contact.objects.create(client=client_a, email="  Bob@Acme-Dental.Example ")
    domain = ClientDomain.objects.create(client=client_a, domain="Mail.Acme-Dental.Example")
    assert contact.email == "bob@acme-dental.example"
    assert domain.domain == "mail.acme-dental.example"


def test_database_refuses_a_mixed_case_domain_written_around_save(client_a):
    with pytest.raises(IntegrityError):
        ClientDomain.objects.bulk_create([ClientDomain(client=client_a, domain="UPPER.example")])


def test_a_package_in_use_cannot_be_deleted(client_a):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        client_a.package.delete()


def test_search_filters_by_text_package_and_standing(client_a, client_c):
    assert list(Client.objects.search(text="acme")) == [client_a]
    assert list(Client.objects.search(package="starter")) == [client_c]
    client_c.standing = "suspended"
    client_c.save()
    assert list(Client.objects.search(standing="suspended")) == [client_c]
    assert set(Client.objects.search()) == {client_a, client_c}


def test_counts_include_zero_rows(client_a, client_c):
    by_standing = Client.objects.count_by_standing()
    assert by_standing == {"current": 2, "past_due": 0, "suspended": 0, "reinstated": 0}
    by_package = {package.key: n for package, n in Client.objects.count_by_package()}
    assert by_package == {"starter": 1, "growth": 1, "omnichannel": 0}
