"""Settings of the floor in bench/monitoring_ingest.py: a bare Django view answering "OK".

Served by the very command that serves the desk (``operant web``, granian with the same
workers, threads and access log), so the only differences between the floor and ours are
the desk's middleware, URL resolution, database and view. ``operant.core`` is the one app
installed: it brings the ``web`` command and has no models; nothing else is. No middleware, no
database, no templates: the least work Django does to answer a request.
"""

from __future__ import annotations

import os

SECRET_KEY = os.environ.get("OPERANT_SECRET_KEY") or "bench-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
USE_TZ = True
INSTALLED_APPS = ["operant.core"]
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "bare_urls"
DATABASES: dict[str, dict[str, str]] = {}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "root": {"handlers": [], "level": "WARNING"},
}
