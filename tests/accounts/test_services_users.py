import pytest

from operant.accounts import errors
from operant.accounts.models import User
from operant.accounts.services import agent_create, contact_invite_user

pytestmark = pytest.mark.django_db


def test_agent_create_signs_in_by_lower_case_address():
    user = agent_create(
        email="Ops.Lead@Operant.test",
        name="Olive Operator",
        password="long-enough-pw",
        role="operator",
    )
    assert (user.username, user.email) == ("ops.lead@operant.test", "ops.lead@operant.test")
    assert (user.first_name, user.last_name) == ("Olive", "Operator")
    assert user.is_agent
    assert not user.is_staff
    assert user.check_password("long-enough-pw")


def test_an_admin_agent_can_use_django_admin():
    user = agent_create(email="a@operant.test", name="A", password="long-enough-pw", role="admin")
    assert user.is_staff
    assert user.is_superuser


def test_agent_create_refuses_a_client_role_and_unknown_roles():
    for role in ("client", "boss"):
        with pytest.raises(errors.InvalidRole, match="unknown staff role"):
            agent_create(email="x@operant.test", name="X", password="long-enough-pw", role=role)
    assert not User.objects.exists()


def test_agent_create_refuses_a_weak_password():
    with pytest.raises(errors.InvalidPassword, match="password rejected"):
        agent_create(email="x@operant.test", name="X", password="short", role="agent")


def test_agent_create_refuses_an_address_that_already_signs_in(agent):
    with pytest.raises(errors.DuplicateEmail, match="already has a login"):
        agent_create(email="AGENT@operant.test", name="X", password="long-enough-pw", role="agent")


def test_contact_invite_user_links_a_client_login(client_a):
    contact = client_a.contacts.get()
    contact.name = "Alice Adams"
    user = contact_invite_user(contact=contact, password="long-enough-pw")
    contact.refresh_from_db()
    assert contact.user == user
    assert user.role == User.Role.CLIENT
    assert user.is_client_user
    assert user.username == "alice@acme-dental.example"
    assert user.get_full_name() == "Alice Adams"


def test_an_invite_without_password_cannot_sign_in_until_reset(client_a):
    user = contact_invite_user(contact=client_a.contacts.get())
    assert not user.has_usable_password()


def test_a_contact_is_invited_once(alice):
    with pytest.raises(errors.AlreadyInvited):
        contact_invite_user(contact=alice.contact)


def test_an_invite_cannot_take_an_agents_address(client_a, agent):
    from operant.accounts.services import contact_add

    contact = contact_add(client=client_a, email="agent@operant.test")
    with pytest.raises(errors.DuplicateEmail):
        contact_invite_user(contact=contact)
    contact.refresh_from_db()
    assert contact.user is None
