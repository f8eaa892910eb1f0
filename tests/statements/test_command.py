import io

import pytest
from django.core.management import CommandError, call_command

from operant.notify.models import Notification
from operant.statements.models import Statement

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("statements", *args, stdout=out)
    return out.getvalue()


def test_it_builds_a_statement_and_prints_its_files(acme_november):
    output = _run("build", "--client", acme_november.slug, "--month", "2026-10")
    assert "statement 2026-10 for acme-dental" in output
    assert output.count(".pdf") == 1
    assert Statement.objects.filter(client=acme_november).count() == 1


def test_running_again_with_email_queues_one_email(acme_november):
    _run("build", "--client", acme_november.slug, "--month", "2026-10", "--email")
    _run("build", "--client", acme_november.slug, "--month", "2026-10", "--email")
    assert Statement.objects.count() == 1
    assert Notification.objects.filter(kind="statements.statement").count() == 1


def test_bad_input_is_one_line(acme):
    with pytest.raises(CommandError, match="not a month like"):
        _run("build", "--client", acme.slug, "--month", "October")
    with pytest.raises(CommandError, match="no client 'nobody'"):
        _run("build", "--client", "nobody", "--month", "2026-10")
    with pytest.raises(CommandError, match="has not ended"):
        _run("build", "--client", acme.slug, "--month", "2099-01")
