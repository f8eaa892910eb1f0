"""The console page where a staff member chooses their own alert channels."""

import pytest
from django.urls import reverse

from operant.notify.alerts import alert_channels_of
from operant.notify.models import Channel, Notification

pytestmark = pytest.mark.django_db

URL = "/console/alerts/"
TEST_URL = "/console/alerts/test/"
HOOK = "https://hooks.slack.example/services/T000/B000/XXXX"


def post(http, **fields):
    data = {"email": "on", "phone": "", "chat_webhook_url": "", **fields}
    return http.post(URL, {key: value for key, value in data.items() if value is not None})


def test_an_agent_sees_email_chosen_until_they_choose(agent_client):
    response = agent_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "now Email." in html
    assert 'name="email" id="id_email" checked' in html
    assert 'name="sms" id="id_sms">' in html
    assert f'action="{reverse("console:alert_test")}"' in html
    assert 'href="/console/alerts/"' in html  # in the console's menu


def test_an_agent_sets_sms_and_chat(agent, agent_client):
    response = post(
        agent_client, sms="on", phone="+1 415 555 0123", chat="on", chat_webhook_url=HOOK
    )
    assert response.status_code == 302
    assert response["Location"] == URL
    channels = alert_channels_of(user_id=agent.pk)
    assert (channels.phone, channels.chat_webhook_url) == ("+14155550123", HOOK)
    assert channels.chosen() == [Channel.EMAIL, Channel.SMS, Channel.CHAT_WEBHOOK]
    page = agent_client.get(URL).content.decode()
    assert "Your alert channels are saved." in page
    assert "now Email, SMS, Chat webhook." in page
    assert 'value="+14155550123"' in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"sms": "on", "phone": "415 555 0123"}, "is not a phone number in international form"),
        ({"sms": "on"}, "Enter a phone number to get alerts by SMS."),
        ({"chat": "on", "chat_webhook_url": "http://hooks.example/x"}, "must start with https://"),
    ],
)
def test_bad_input_is_shown_and_kept_and_nothing_saved(agent, agent_client, fields, message):
    response = post(agent_client, **fields)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'role="alert"' in html
    if fields.get("phone"):
        assert f'value="{fields["phone"]}"' in html  # what was typed is still there to fix
    assert alert_channels_of(user_id=agent.pk).pk is None


def test_the_test_button_queues_one_alert_per_chosen_channel(agent, agent_client):
    post(agent_client, sms="on", phone="+14155550123")
    response = agent_client.post(TEST_URL)
    assert response.status_code == 302
    queued = Notification.objects.filter(kind="notify.alert_test")
    assert sorted((n.channel, tuple(n.to)) for n in queued) == [
        (Channel.EMAIL, (agent.email,)),
        (Channel.SMS, ("+14155550123",)),
    ]
    assert "A test alert is on its way: Email, SMS." in agent_client.get(URL).content.decode()
    # A second click in the same minute sends nothing more, and says so.
    agent_client.post(TEST_URL)
    assert queued.count() == 2
    assert "already went out this minute" in agent_client.get(URL).content.decode()


def test_the_test_button_takes_only_posts(agent_client):
    assert agent_client.get(TEST_URL).status_code == 405
    assert not Notification.objects.exists()


def test_client_users_are_refused(alice, charlie, alice_client, charlie_client):
    for http in (alice_client, charlie_client):
        assert http.get(URL).status_code == 403
        assert post(http, sms="on", phone="+14155550123").status_code == 403
        assert http.post(TEST_URL).status_code == 403
    assert not Notification.objects.exists()
    assert alert_channels_of(user_id=alice.pk).pk is None


def test_visitors_are_sent_to_login(client):
    for url in (URL, TEST_URL):
        assert client.get(url)["Location"].startswith(reverse("login"))
