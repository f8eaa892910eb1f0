import pytest

from operant.accounts import errors
from operant.accounts.models import Client, ClientDomain, Contact
from operant.accounts.services import client_create, contact_add
from operant.core.errors import UserError

pytestmark = pytest.mark.django_db


def test_client_create_makes_contacts_and_domains(catalog):
    client = client_create(
        name="Harbor & Pine Realty",
        package_key="omnichannel",
        timezone="America/Los_Angeles",
        emails=["Jess@HarborPine.example", "sam@harborpine.example"],
        domains=["HarborPine.example"],
    )
    assert client.slug == "harbor-pine-realty"
    assert client.package.key == "omnichannel"
    assert client.standing == Client.Standing.CURRENT
    assert client.standing_changed_at is not None
    assert sorted(client.contacts.values_list("email", flat=True)) == [
        "jess@harborpine.example",
        "sam@harborpine.example",
    ]
    assert list(client.domains.values_list("domain", flat=True)) == ["harborpine.example"]


def test_billing_email_defaults_to_the_first_contact(catalog):
    client = client_create(name="X", package_key="starter", emails=["a@x.example", "b@x.example"])
    assert client.billing_email == "a@x.example"
    assert list(client.contacts.filter(is_billing=True).values_list("email", flat=True)) == [
        "a@x.example"
    ]


def test_an_explicit_billing_email_need_not_be_a_contact(catalog):
    client = client_create(
        name="X", package_key="starter", emails=["a@x.example"], billing_email="AP@x.example"
    )
    assert client.billing_email == "ap@x.example"
    assert not client.contacts.filter(is_billing=True).exists()


def test_slugs_stay_unique_for_the_same_name(catalog):
    first = client_create(name="Bright Smile", package_key="starter")
    second = client_create(name="Bright  Smile!", package_key="starter")
    assert (first.slug, second.slug) == ("bright-smile", "bright-smile-2")


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"name": "  "}, errors.InvalidName, "needs a name"),
        ({"package_key": "platinum"}, errors.UnknownPackage, "unknown package 'platinum'"),
        ({"timezone": "Mars/Base"}, errors.InvalidTimezone, "not an IANA time zone"),
        ({"timezone": "../etc/passwd"}, errors.InvalidTimezone, "not an IANA time zone"),
        ({"emails": ["not-an-email"]}, errors.InvalidEmail, "'not-an-email' is not a valid"),
        ({"emails": ["a@x.example", "A@X.example"]}, errors.DuplicateEmail, "given twice"),
        ({"domains": ["not a domain"]}, errors.InvalidDomain, "not a valid domain"),
        ({"domains": ["10.0.0.1"]}, errors.InvalidDomain, "not a valid domain"),
        ({"domains": ["x.example", "X.example."]}, errors.DuplicateDomain, "given twice"),
        ({"billing_email": "nope"}, errors.InvalidEmail, "'nope' is not a valid"),
    ],
)
def test_bad_input_raises_a_clear_user_error_and_writes_nothing(catalog, kwargs, error, message):
    arguments = {"name": "Acme", "package_key": "starter", **kwargs}
    with pytest.raises(error, match=message) as caught:
        client_create(**arguments)
    assert isinstance(caught.value, UserError)
    assert not Client.objects.exists()
    assert not Contact.objects.exists()


def test_an_address_held_by_another_client_is_refused(client_a):
    with pytest.raises(errors.DuplicateEmail, match="already a contact of Acme Dental"):
        client_create(name="Other", package_key="starter", emails=["ALICE@acme-dental.example"])
    assert Client.objects.count() == 1


def test_a_domain_owned_by_another_client_is_refused(client_a):
    with pytest.raises(errors.DuplicateDomain, match="already belongs to Acme Dental"):
        client_create(name="Other", package_key="starter", domains=["@Acme-Dental.example"])


def test_domains_are_normalized(catalog):
    client = client_create(
        name="Café", package_key="starter", domains=["@Café.Example.", "Shop.Example"]
    )
    assert sorted(client.domains.values_list("domain", flat=True)) == [
        "shop.example",
        "xn--caf-dma.example",
    ]


def test_contact_add_normalizes_and_refuses_duplicates(client_a):
    contact = contact_add(client=client_a, email=" Bob@Acme-Dental.example ", name=" Bob ")
    assert (contact.email, contact.name, contact.client) == (
        "bob@acme-dental.example",
        "Bob",
        client_a,
    )
    with pytest.raises(errors.DuplicateEmail):
        contact_add(client=client_a, email="BOB@acme-dental.example")


def test_nothing_is_written_when_a_later_row_fails(catalog, client_a, monkeypatch):
    # Force a failure after the client row is written: the whole creation rolls back.
    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ClientDomain.objects, "bulk_create", explode)
    with pytest.raises(RuntimeError):
        client_create(name="Half", package_key="starter", emails=["h@half.example"])
    assert not Client.objects.filter(name="Half").exists()
    assert not Contact.objects.filter(email="h@half.example").exists()
