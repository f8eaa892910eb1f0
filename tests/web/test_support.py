import types

from django.test import override_settings

from operant.core.errors import UserError
from operant.web.support import support_email


def install_loader(monkeypatch, current_policy) -> None:
    monkeypatch.setattr("operant.web.support.current_policy", current_policy)


def test_it_reads_the_policy_contact_address(monkeypatch):
    policy = types.SimpleNamespace(contact=types.SimpleNamespace(support_email="desk@operant.test"))
    install_loader(monkeypatch, lambda: policy)
    assert support_email() == "desk@operant.test"


@override_settings(DEFAULT_FROM_EMAIL="fallback@operant.test")
def test_a_broken_policy_falls_back_to_the_from_address(monkeypatch):
    def broken():
        raise UserError("operant.toml line 3: bad value")

    install_loader(monkeypatch, broken)
    assert support_email() == "fallback@operant.test"


@override_settings(
    DEFAULT_FROM_EMAIL="fallback@operant.test", OPERANT_POLICY="/nonexistent/operant.toml"
)
def test_a_missing_policy_file_falls_back_to_the_from_address():
    assert support_email() == "fallback@operant.test"


def test_the_shipped_policy_gives_its_support_address():
    assert support_email() == "support@operantco.com"
