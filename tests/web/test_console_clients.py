import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

URL = "/console/clients/"


def names(response) -> list[str]:
    return [client.name for client in response.context["clients"]]


def test_lists_every_client_with_package_and_standing(agent_client, client_a, client_c):
    response = agent_client.get(URL)
    assert response.status_code == 200
    assert names(response) == ["Acme Dental", "Cobalt Gym"]
    html = response.content.decode()
    assert reverse("console:client", args=["acme-dental"]) in html
    assert "Growth" in html
    assert "Starter" in html
    assert "<form" in html  # the full page, with the filter form
    assert "{#" not in html
    assert "{%" not in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?q=cobalt", ["Cobalt Gym"]),
        ("?q=ACME", ["Acme Dental"]),
        ("?package=growth", ["Acme Dental"]),
        ("?standing=suspended", ["Cobalt Gym"]),
        ("?package=starter&standing=current", []),
        ("?package=no-such-package", ["Acme Dental", "Cobalt Gym"]),
    ],
)
def test_filters_by_name_package_and_standing(agent_client, client_a, client_c, query, expected):
    client_c.standing = "suspended"
    client_c.save()
    assert names(agent_client.get(URL + query)) == expected


def test_htmx_requests_get_only_the_results_fragment(agent_client, client_a, client_c):
    response = agent_client.get(URL + "?q=acme", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="client-results"')
    assert "<html" not in html
    assert "<form" not in html
    assert "Acme Dental" in html
    assert "Cobalt Gym" not in html
    assert "HX-Request" in response["Vary"]


def test_htmx_history_restore_gets_the_whole_page(agent_client, client_a):
    response = agent_client.get(
        URL, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in response.content.decode()


def test_no_match_says_so(agent_client, client_a):
    assert b"No clients match" in agent_client.get(URL + "?q=zzz").content


def test_client_users_are_refused_even_with_htmx(alice_client, charlie_client, client_a):
    for http in (alice_client, charlie_client):
        assert http.get(URL).status_code == 403
        assert http.get(URL + "?q=acme", headers={"HX-Request": "true"}).status_code == 403


def test_visitors_are_sent_to_login(client):
    assert client.get(URL)["Location"].startswith(reverse("login"))
