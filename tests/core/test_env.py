import pytest
from django.core.exceptions import ImproperlyConfigured

from operant.core.env import env_bool, env_int, env_list, env_str


def test_it_names_the_variable_when_a_bool_is_bad(monkeypatch) -> None:
    monkeypatch.setenv("OPERANT_X", "maybe")
    with pytest.raises(ImproperlyConfigured, match="OPERANT_X"):
        env_bool("OPERANT_X", False)


def test_it_names_the_variable_when_a_number_is_bad(monkeypatch) -> None:
    monkeypatch.setenv("OPERANT_N", "ten")
    with pytest.raises(ImproperlyConfigured, match="OPERANT_N: expected a whole number"):
        env_int("OPERANT_N", 1)
    monkeypatch.setenv("OPERANT_N", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env_int("OPERANT_N", 1, minimum=1)


def test_it_reads_a_secret_from_a_file(monkeypatch, tmp_path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("s3cret\n")
    monkeypatch.delenv("OPERANT_SECRET", raising=False)
    monkeypatch.setenv("OPERANT_SECRET_FILE", str(secret))
    assert env_str("OPERANT_SECRET", "default") == "s3cret"


def test_an_unreadable_secret_file_names_the_key(monkeypatch, tmp_path) -> None:
    monkeypatch.delenv("OPERANT_SECRET", raising=False)
    monkeypatch.setenv("OPERANT_SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="OPERANT_SECRET_FILE"):
        env_str("OPERANT_SECRET", "default")


def test_lists_are_comma_separated(monkeypatch) -> None:
    monkeypatch.setenv("OPERANT_HOSTS", "a.example, b.example,,")
    assert env_list("OPERANT_HOSTS", []) == ["a.example", "b.example"]
    assert env_list("OPERANT_MISSING_LIST", ["x"]) == ["x"]
