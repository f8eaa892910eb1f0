"""The apps' layers (pyproject.toml [tool.importlinter], docs/decisions.md) hold, and the check
that scripts/test runs fails on an import against them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(src: Path) -> subprocess.CompletedProcess[str]:
    """The project's contracts, checked against the package under ``src``."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    return subprocess.run(
        [LINT_IMPORTS, "--no-cache", "--config", str(ROOT / "pyproject.toml")],
        cwd=src,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the package's Python modules, to break on purpose."""
    shutil.copytree(
        ROOT / "src" / "operant",
        tmp_path / "operant",
        ignore=shutil.ignore_patterns("__pycache__", "templates", "static", "*.toml", "*.txt"),
    )
    return tmp_path


def add_line(tree: Path, module: str, line: str) -> None:
    path = tree / f"{module.replace('.', '/')}.py"
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")


def test_the_apps_keep_their_layers() -> None:
    result = lint_imports(ROOT / "src")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout


def test_an_import_of_a_higher_app_is_refused(tree: Path) -> None:
    add_line(tree, "operant.desk.clock", "from operant.mail import models  # noqa")
    result = lint_imports(tree)
    assert result.returncode == 1
    assert "operant.desk is not allowed to import operant.mail" in result.stdout


def test_an_import_hidden_in_a_function_is_refused_too(tree: Path) -> None:
    add_line(
        tree,
        "operant.allowance.ledger",
        "def _late():\n    from operant.quotes.models import Quote  # noqa",
    )
    result = lint_imports(tree)
    assert result.returncode == 1
    assert "operant.allowance is not allowed to import operant.quotes" in result.stdout


def test_a_domain_app_may_not_import_the_pages(tree: Path) -> None:
    add_line(tree, "operant.quotes.queries", "from operant.web.portal import lookups  # noqa")
    result = lint_imports(tree)
    assert result.returncode == 1
    assert "operant.quotes is not allowed to import operant.web" in result.stdout


def test_the_api_and_the_pages_do_not_import_each_other(tree: Path) -> None:
    add_line(tree, "operant.api.client_scope", "from operant.web.portal import lookups  # noqa")
    result = lint_imports(tree)
    assert result.returncode == 1
    assert "operant.api is not allowed to import operant.web" in result.stdout


def test_a_new_app_must_take_its_place_in_the_order(tree: Path) -> None:
    (tree / "operant" / "payments").mkdir()
    (tree / "operant" / "payments" / "__init__.py").write_text("", encoding="utf-8")
    result = lint_imports(tree)
    assert result.returncode == 1
    assert "operant.payments" in result.stdout


def test_business_time_stays_pure(tree: Path) -> None:
    add_line(tree, "operant.calendar.days", "import django  # noqa")
    result = lint_imports(tree)
    assert result.returncode == 1
    assert "operant.calendar is not allowed to import django" in result.stdout
