import email.utils

import pytest
from hypothesis import given
from hypothesis import strategies as st

from operant.accounts.services import contact_add, sender_parts, sender_resolve

pytestmark = pytest.mark.django_db


def test_an_exact_contact_address_matches_the_contact(alice_contact, client_a):
    match = sender_resolve(address="alice@acme-dental.example")
    assert (match.contact, match.client, match.via) == (alice_contact, client_a, "contact")
    assert match.matched


def test_matching_ignores_case_and_display_names(alice_contact):
    match = sender_resolve(address='"Alice A." <ALICE@Acme-Dental.EXAMPLE>')
    assert match.contact == alice_contact


def test_an_unknown_address_at_a_client_domain_matches_the_client(client_a):
    match = sender_resolve(address="Front.Desk@ACME-DENTAL.example")
    assert (match.contact, match.client, match.via) == (None, client_a, "domain")


def test_a_subdomain_of_a_client_domain_does_not_match(client_a):
    match = sender_resolve(address="ops@mail.acme-dental.example")
    assert (match.contact, match.client, match.via) == (None, None, None)
    assert not match.matched


def test_a_parent_domain_does_not_match(client_a):
    assert not sender_resolve(address="x@dental.example").matched


def test_the_contact_wins_over_another_clients_domain(client_a, client_c):
    # A consultant who works for Cobalt Gym but writes from Acme's domain.
    contact = contact_add(client=client_c, email="consultant@acme-dental.example")
    match = sender_resolve(address="consultant@acme-dental.example")
    assert (match.contact, match.client, match.via) == (contact, client_c, "contact")


@pytest.mark.parametrize("address", ["", "not an address", "@acme-dental.example", "alice@"])
def test_malformed_addresses_match_nothing(client_a, address):
    assert not sender_resolve(address=address).matched


# --- the normaliser both sender lookups share ---------------------------------------------------

_ATOM = "abcXYZ09!#$%&'*+/=?^_`{|}~-"


def _by_parseaddr(address: str) -> tuple[str, str] | None:
    """The normalisation sender_parts stands for: parseaddr, strip, lower, split at the last @."""
    parsed = email.utils.parseaddr(address)[1].strip().lower()
    local, at, domain = parsed.rpartition("@")
    return (parsed, domain) if at and local and domain else None


@given(
    local=st.lists(st.text(_ATOM, min_size=1, max_size=6), min_size=1, max_size=3),
    domain=st.lists(st.text("abZ09-", min_size=1, max_size=6), min_size=1, max_size=3),
)
def test_plain_addresses_take_the_fast_path_to_the_same_answer(local, domain) -> None:
    address = ".".join(local) + "@" + ".".join(domain)
    assert sender_parts(address) == _by_parseaddr(address)


@given(st.text(max_size=40))
def test_any_text_normalises_as_parseaddr_does(address: str) -> None:
    assert sender_parts(address) == _by_parseaddr(address)


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("Ann@Example.COM", ("ann@example.com", "example.com")),
        ("Ann Lee <Ann@Example.com>", ("ann@example.com", "example.com")),
        ('"Lee, Ann" <ann@example.com>', ("ann@example.com", "example.com")),
        ("ann@", None),
        ("@example.com", None),
        ("not an address", None),
        ("", None),
    ],
)
def test_sender_parts_examples(address: str, expected) -> None:
    assert sender_parts(address) == expected
