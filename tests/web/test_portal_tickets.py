"""Portal: my tickets and one ticket's conversation (never internal notes), and replying."""

from __future__ import annotations

import pytest
from django.urls import reverse

from operant.desk.models import MessageKind
from operant.mail.models import InboundChannel, InboundMessage
from tests.web.portal_helpers import NOTE_TEXT, ticket_for

pytestmark = pytest.mark.django_db

LIST = reverse("portal:tickets")


def test_lists_only_the_clients_own_tickets(alice_client, client_a, client_c):
    mine = ticket_for(client_a, "Reminders stopped")
    theirs = ticket_for(client_c, "Gym booking broken")
    html = alice_client.get(LIST).content.decode()
    assert mine.ref in html
    assert "Reminders stopped" in html
    assert theirs.ref not in html
    assert "Gym booking broken" not in html
    assert mine.get_state_display() in html
    assert mine.get_request_class_display() in html


def test_the_ticket_page_shows_the_conversation_without_internal_notes(alice_client, client_a):
    ticket = ticket_for(client_a)
    response = alice_client.get(reverse("portal:ticket", args=[ticket.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "No reminder texts went out today." in html
    assert "We are looking into it now." in html
    assert NOTE_TEXT not in html
    assert "grumpy" not in html


def test_another_clients_ticket_is_not_found(charlie_client, client_a):
    ticket = ticket_for(client_a)
    assert charlie_client.get(reverse("portal:ticket", args=[ticket.pk])).status_code == 404
    assert (
        charlie_client.post(
            reverse("portal:ticket_reply", args=[ticket.pk]), {"text": "let me in"}
        ).status_code
        == 404
    )
    assert not ticket.messages.filter(text__contains="let me in").exists()


def test_an_unknown_ticket_is_not_found_either(alice_client):
    assert alice_client.get(reverse("portal:ticket", args=[999_999])).status_code == 404


def test_a_reply_goes_through_the_pipeline(alice_client, client_a):
    ticket = ticket_for(client_a)
    url = reverse("portal:ticket_reply", args=[ticket.pk])
    response = alice_client.post(url, {"text": "Still broken this afternoon."})
    assert response["Location"] == reverse("portal:ticket", args=[ticket.pk])
    inbound = InboundMessage.objects.get(channel=InboundChannel.PORTAL)
    assert inbound.ticket == ticket
    message = ticket.messages.get(inbound=inbound)
    assert message.kind == MessageKind.INBOUND
    assert "Still broken this afternoon." in alice_client.get(response["Location"]).content.decode()


def test_an_empty_reply_is_refused_with_a_message(alice_client, client_a):
    ticket = ticket_for(client_a)
    response = alice_client.post(reverse("portal:ticket_reply", args=[ticket.pk]), {"text": " "})
    assert response.status_code == 400
    assert not InboundMessage.objects.exists()


def test_agents_are_refused_and_visitors_sent_to_login(agent_client, client, client_a):
    ticket = ticket_for(client_a)
    for url in (LIST, reverse("portal:ticket", args=[ticket.pk])):
        assert agent_client.get(url).status_code == 403
        assert client.get(url).status_code == 302
