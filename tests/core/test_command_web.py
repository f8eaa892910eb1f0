"""`operant web`: what gunicorn is given to serve, and the --bind check."""

from __future__ import annotations

import pytest
from django.core.handlers.wsgi import WSGIHandler

from operant.core.errors import UserError
from operant.core.management.commands.web import _Server, parse_bind


def test_it_serves_the_application_the_settings_name(settings):
    settings.WSGI_APPLICATION = "operant.wsgi.application"
    application = _Server({"bind": "127.0.0.1:8000", "workers": 1}).load()
    assert isinstance(application, WSGIHandler)


@pytest.mark.parametrize("bind", ["127.0.0.1:8000", "0.0.0.0:1", "[::1]:65535"])
def test_it_takes_host_and_port(bind):
    assert parse_bind(bind) == bind


@pytest.mark.parametrize("bind", ["8000", "127.0.0.1", ":8000", "localhost:0", "host:65536"])
def test_it_refuses_a_bind_without_host_and_port(bind):
    with pytest.raises(UserError, match="--bind: expected HOST:PORT"):
        parse_bind(bind)
