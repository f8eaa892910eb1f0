"""Portal: opening a new request, through the same pipeline as email."""

from __future__ import annotations

import pytest
from django.urls import reverse

from operant.desk.models import Ticket
from operant.mail.models import InboundChannel, InboundMessage

pytestmark = pytest.mark.django_db

URL = reverse("portal:request_new")
REQUEST = {"subject": "Reminders stopped", "text": "No reminder texts went out today."}


def test_shows_the_form(alice_client):
    response = alice_client.get(URL)
    assert response.status_code == 200
    assert b'name="subject"' in response.content


def test_a_request_opens_a_ticket_and_shows_its_class_and_target(alice_client, client_a):
    response = alice_client.post(URL, REQUEST)
    ticket = Ticket.objects.get()
    assert response["Location"] == reverse("portal:ticket", args=[ticket.pk])
    assert ticket.client == client_a
    assert InboundMessage.objects.get().channel == InboundChannel.PORTAL
    html = alice_client.get(response["Location"]).content.decode()
    assert ticket.ref in html
    assert ticket.get_request_class_display() in html
    assert "Response target" in html


def test_the_client_comes_from_the_login_not_the_form(charlie_client, client_a, client_c):
    charlie_client.post(URL, {**REQUEST, "client": client_a.pk, "client_id": client_a.pk})
    assert Ticket.objects.get().client == client_c


def test_a_request_without_subject_is_refused(alice_client):
    response = alice_client.post(URL, {"subject": "", "text": "x"})
    assert response.status_code == 400
    assert not InboundMessage.objects.exists()


def test_agents_are_refused(agent_client):
    assert agent_client.get(URL).status_code == 403
    assert agent_client.post(URL, REQUEST).status_code == 403
    assert not Ticket.objects.exists()
