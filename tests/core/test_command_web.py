"""`operant web`: what granian is given to serve, and the --bind check."""

from __future__ import annotations

import importlib

import pytest
from django.core.handlers.wsgi import WSGIHandler

from operant.core.errors import UserError
from operant.core.management.commands.web import (
    THREADS,
    default_threads,
    parse_bind,
    server_options,
)


def test_it_serves_the_application_the_settings_name(settings):
    settings.WSGI_APPLICATION = "operant.wsgi.application"
    options = server_options(bind="127.0.0.1:8000", workers=1, threads=1)
    module, attribute = options["target"].split(":")
    assert isinstance(getattr(importlib.import_module(module), attribute), WSGIHandler)


def test_it_passes_workers_threads_and_the_access_log():
    options = server_options(bind="127.0.0.1:8123", workers=3, threads=5)
    assert (options["address"], options["port"]) == ("127.0.0.1", 8123)
    assert (options["workers"], options["blocking_threads"]) == (3, 5)
    assert options["log_access"] is True


@pytest.mark.parametrize(
    ("bind", "address"),
    [
        ("127.0.0.1:8000", ("127.0.0.1", 8000)),
        ("0.0.0.0:1", ("0.0.0.0", 1)),
        ("[::1]:65535", ("::1", 65535)),
    ],
)
def test_it_takes_host_and_port(bind, address):
    assert parse_bind(bind) == address


@pytest.mark.parametrize("bind", ["8000", "127.0.0.1", ":8000", "localhost:0", "host:65536"])
def test_it_refuses_a_bind_without_host_and_port(bind):
    with pytest.raises(UserError, match="--bind: expected HOST:PORT"):
        parse_bind(bind)


@pytest.mark.parametrize(("workers", "threads"), [(0, 1), (1, 0)])
def test_it_refuses_fewer_than_one_worker_or_thread(workers, threads):
    with pytest.raises(UserError, match="at least 1"):
        server_options(bind="127.0.0.1:8000", workers=workers, threads=threads)


def test_without_the_setting_it_serves_djangos_default_application(settings):
    settings.WSGI_APPLICATION = None
    options = server_options(bind="127.0.0.1:8000", workers=1, threads=1)
    assert (options["target"], options["factory"]) == (
        "django.core.wsgi:get_wsgi_application",
        True,
    )


def test_threads_default_to_one_on_sqlite_and_four_elsewhere():
    assert default_threads("django.db.backends.sqlite3") == 1
    assert default_threads("django.db.backends.postgresql") == THREADS == 4
