from operant.policy.checks import policy_file_loads


def test_a_broken_policy_file_fails_the_system_check(settings, tmp_path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("[policy]\nversion = \n")
    settings.OPERANT_POLICY = str(broken)
    [error] = policy_file_loads()
    assert error.id == "operant.E001"
    assert "broken.toml" in error.msg


def test_the_shipped_policy_passes_the_system_check() -> None:
    assert policy_file_loads() == []
