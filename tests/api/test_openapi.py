"""The API's self-description, its docs page, and that every answer under /api/ is JSON."""

from __future__ import annotations

import json
import re

import pytest

pytestmark = pytest.mark.django_db


def test_the_openapi_schema_is_json_listing_the_four_ticket_paths(client) -> None:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Operant Desk API"
    assert schema["info"]["version"] == "1"
    paths = schema["paths"]
    # Other routers (quotes, time entries) add their own paths; their tests check those.
    ticket_paths = {p for p in paths if p.startswith("/api/tickets") and "/time" not in p}
    assert ticket_paths == {
        "/api/tickets",
        "/api/tickets/{ref}",
        "/api/tickets/{ref}/reply",
        "/api/tickets/{ref}/reclassify",
    }
    assert set(paths["/api/tickets"]) == {"get"}
    assert set(paths["/api/tickets/{ref}"]) == {"get"}
    assert set(paths["/api/tickets/{ref}/reply"]) == {"post"}
    assert set(paths["/api/tickets/{ref}/reclassify"]) == {"post"}


def test_the_schema_uses_the_json_field_names_and_bearer_auth(client) -> None:
    schema = client.get("/api/openapi.json").json()
    parameters = {p["name"] for p in schema["paths"]["/api/tickets"]["get"]["parameters"]}
    assert {"class", "state", "client", "unmatched", "flagged", "clock_state"} <= parameters
    assert {"limit", "offset"} <= parameters
    components = schema["components"]
    assert "class" in components["schemas"]["TicketOut"]["properties"]
    assert "from" in components["schemas"]["MessageOut"]["properties"]
    assert "class" in components["schemas"]["ReclassifyIn"]["required"]
    # Staff and client tokens are both HTTP bearer tokens (one scheme per auth class).
    schemes = components["securitySchemes"].values()
    assert {(scheme["type"], scheme["scheme"]) for scheme in schemes} == {("http", "bearer")}
    assert set(schema["paths"]["/api/tickets/{ref}/reply"]["post"]["responses"]) >= {
        "201",
        "400",
        "401",
        "403",
        "404",
    }


def test_the_docs_page_is_served_without_a_token(client) -> None:
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert b"Operant Desk API" in response.content
    assert b"/api/openapi.json" in response.content


def test_the_docs_page_needs_no_cdn(client) -> None:
    html = client.get("/api/docs").content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', html)
    assert assets
    for asset in assets:
        assert asset.startswith("/static/ninja/"), asset
        assert client.get(asset).status_code == 200, asset


def test_an_unknown_api_path_is_a_json_404(client) -> None:
    response = client.get("/api/ticketz")
    assert response.status_code == 404
    assert response.json() == {"detail": "no API route /api/ticketz"}


def test_an_unexpected_error_is_a_json_500_not_a_page(agent_api, open_ticket, monkeypatch) -> None:
    ticket = open_ticket()

    def broken(**kwargs: object) -> None:
        raise RuntimeError("database on fire")

    monkeypatch.setattr("operant.api.tickets.ticket_reply", broken)
    response = agent_api.post(
        f"/api/tickets/{ticket.ref}/reply", {"text": "Hello"}, content_type="application/json"
    )
    assert response.status_code == 500
    # The cause goes to the log, not to the caller.
    assert response.json() == {"detail": "internal error"}


def test_every_operation_documents_its_422(client) -> None:
    schema = client.get("/api/openapi.json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert "422" in operation["responses"], f"{method.upper()} {path}"


def test_the_schema_says_what_the_server_enforces(client) -> None:
    schema = client.get("/api/openapi.json").json()
    components = schema["components"]["schemas"]

    def query(path: str, name: str) -> dict:
        [parameter] = [p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == name]
        return parameter["schema"]

    for path in ("/api/tickets", "/api/quotes"):
        assert query(path, "offset")["maximum"] == 1_000_000_000
        assert query(path, "limit")["maximum"] == 200
    minutes = components["TimeEntryIn"]["properties"]["minutes"]
    assert (minutes["minimum"], minutes["maximum"]) == (1, 600)
    assert components["ReplyIn"]["properties"]["text"]["pattern"] == r"\S"
    classes = components["ReclassifyIn"]["properties"]["class"]
    assert "$ref" in classes or "enum" in classes


@pytest.mark.parametrize(
    "query", ["offset=9223372036854775808", "offset=99999999999999999999", "offset=-1"]
)
@pytest.mark.parametrize("path", ["/api/tickets", "/api/quotes"])
def test_an_offset_past_any_list_is_422_not_a_server_error(agent_api, path, query) -> None:
    response = agent_api.get(f"{path}?{query}")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "offset"]


def test_the_largest_offset_is_an_empty_page(agent_api) -> None:
    response = agent_api.get("/api/tickets?offset=1000000000")
    assert response.status_code == 200
    assert response.json()["items"] == []


def test_a_row_id_past_64_bits_is_422_not_a_server_error(agent_api) -> None:
    response = agent_api.delete(f"/api/time-entries/{2**63}")
    assert response.status_code == 422
    assert agent_api.delete(f"/api/time-entries/{2**63 - 1}").status_code == 404
