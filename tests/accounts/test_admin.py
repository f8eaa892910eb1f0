import pytest
from django.test import Client as DjangoClient
from django.urls import reverse

from operant.accounts.services import agent_create

pytestmark = pytest.mark.django_db

MODELS = ["user", "integration", "servicepackage", "client", "clientdomain", "contact"]


@pytest.fixture
def admin_client_(db):
    admin = agent_create(
        email="root@operant.test", name="R", password="long-enough-pw", role="admin"
    )
    http = DjangoClient()
    http.force_login(admin)
    return http


@pytest.mark.parametrize("model", MODELS)
def test_every_accounts_model_has_an_admin_list(admin_client_, client_a, model):
    response = admin_client_.get(reverse(f"admin:accounts_{model}_changelist"))
    assert response.status_code == 200


def test_the_client_admin_page_shows_contacts_and_domains(admin_client_, alice, client_a):
    response = admin_client_.get(reverse("admin:accounts_client_change", args=[client_a.pk]))
    assert response.status_code == 200
    assert b"alice@acme-dental.example" in response.content
    assert b"acme-dental.example" in response.content


def test_an_agent_without_staff_flag_is_kept_out_of_admin(agent_client, alice_client):
    for http in (agent_client, alice_client):
        response = http.get(reverse("admin:accounts_client_changelist"))
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]


def test_the_user_add_form_asks_for_email_and_role(admin_client_):
    response = admin_client_.get(reverse("admin:accounts_user_add"))
    assert response.status_code == 200
    assert b'name="email"' in response.content
    assert b'name="role"' in response.content
