"""Minimal Django settings for django-helpdesk as the peer of bench/mail_pipeline.py.

Only what ``helpdesk`` needs to import, migrate and run its email import: the contrib apps its
models and templates use (auth, contenttypes, sites for the links in its emails, humanize for
its template tags), Django REST framework (its API module is imported with the app) and
``helpdesk``. Teams mode is off, so pinax-teams is not needed; the knowledge base stays on, as
by default. SQLite in the directory named by HELPDESK_BENCH_DIR, with the same journal settings
as Operant's own SQLite configuration, so both sides write to comparable databases.

Outgoing mail goes to Django's dummy backend: helpdesk still renders and builds its
notifications (that is part of its import), but nothing leaves the machine.
"""

from __future__ import annotations

import os
from pathlib import Path

BENCH_DIR = Path(os.environ.get("HELPDESK_BENCH_DIR", "/tmp/helpdesk-bench"))

SECRET_KEY = "bench-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["localhost"]
USE_TZ = True
TIME_ZONE = "UTC"
SITE_ID = 1
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sites",
    "django.contrib.humanize",
    "rest_framework",
    "helpdesk",
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(BENCH_DIR / "helpdesk.sqlite3"),
        "OPTIONS": {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
    }
}

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
            ],
        },
    },
]

MIDDLEWARE: list[str] = []
ROOT_URLCONF = "helpdesk_urls"
STATIC_URL = "static/"
MEDIA_ROOT = str(BENCH_DIR / "media")
MEDIA_URL = "media/"

EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
DEFAULT_FROM_EMAIL = "support@operantco.com"

HELPDESK_TEAMS_MODE_ENABLED = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "root": {"handlers": [], "level": "WARNING"},
}
