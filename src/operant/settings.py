"""The one settings module. Everything deployment-specific comes from the environment."""

from __future__ import annotations

import base64
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from operant.core.env import env_bool, env_int, env_list, env_str

PACKAGE_DIR = Path(__file__).resolve().parent
SHIPPED_POLICY = PACKAGE_DIR / "policy" / "operant.toml"

DATA_DIR = Path(env_str("OPERANT_DATA_DIR", str(Path.cwd() / "var")))

DEBUG = env_bool("OPERANT_DEBUG", False)
# The development key is public (it is in this file), so anything signed with it can be forged:
# it is used only while DEBUG is on. Without DEBUG and without a real key the key stays empty:
# the tools that sign nothing (policy check, calendar, sla target) still run, the processes that
# serve users refuse to start (``operant.core.security.require_secret_key``), and anything else
# that would sign gets Django's "SECRET_KEY must not be empty" instead of a forgeable signature.
DEVELOPMENT_SECRET_KEY = "operant-insecure-development-key-change-me"
SECRET_KEY = env_str("OPERANT_SECRET_KEY", "").strip()
if not SECRET_KEY and DEBUG:
    SECRET_KEY = DEVELOPMENT_SECRET_KEY
elif SECRET_KEY == DEVELOPMENT_SECRET_KEY and not DEBUG:
    SECRET_KEY = ""
ALLOWED_HOSTS = env_list("OPERANT_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("OPERANT_CSRF_TRUSTED_ORIGINS", [])

# The policy the engine enforces and the /policy page renders.
OPERANT_POLICY = env_str("OPERANT_POLICY", str(SHIPPED_POLICY))
OPERANT_BASE_URL = env_str("OPERANT_BASE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    # Listed so /api/docs serves Swagger UI from ninja's bundled static files, not a CDN.
    "ninja",
    "operant.core",
    "operant.policy",
    "operant.accounts",
    "operant.desk",
    "operant.mail",
    "operant.notify",
    "operant.allowance",
    "operant.quotes",
    "operant.statements",
    "operant.monitoring",
    "operant.vendors",
    "operant.maintenance",
    "operant.web",
    "operant.api",
    "operant.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside WhiteNoise, so static files get the policy too.
    "operant.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

# Pages load only the desk's own scripts, styles and images: no inline script or style, so
# injected markup cannot run. Bars are drawn with SVG attributes, not style attributes.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)


def _proxy_ssl_header(value: str) -> tuple[str, str] | None:
    """``X-Forwarded-Proto`` (meaning "…: https") or ``Header-Name: value`` -> Django's form."""
    if not value.strip():
        return None
    name, _, expected = value.partition(":")
    name, expected = name.strip(), expected.strip() or "https"
    if not name or any(c.isspace() for c in name):
        raise ImproperlyConfigured(
            f"OPERANT_PROXY_SSL_HEADER: expected a header name such as X-Forwarded-Proto, "
            f"got {value!r}"
        )
    return "HTTP_" + name.upper().replace("-", "_"), expected


# HTTPS in production: all off by default so a plain-HTTP development server still works.
# Behind a TLS-terminating proxy, set OPERANT_PROXY_SSL_HEADER to the header it sets
# (X-Forwarded-Proto) so Django knows the request was secure; make sure the proxy strips
# that header from what clients send.
SECURE_PROXY_SSL_HEADER = _proxy_ssl_header(env_str("OPERANT_PROXY_SSL_HEADER", ""))
SECURE_SSL_REDIRECT = env_bool("OPERANT_SSL_REDIRECT", False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("OPERANT_SECURE_COOKIES", False)
SECURE_HSTS_SECONDS = env_int("OPERANT_HSTS_SECONDS", 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("OPERANT_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("OPERANT_HSTS_PRELOAD", False)
# The session cookie is the only credential a browser holds: never readable by scripts.
SESSION_COOKIE_HTTPONLY = True
# HTMX sends the token from the page (hx-headers), so scripts never need the cookie either.
CSRF_COOKIE_HTTPONLY = True

ROOT_URLCONF = "operant.urls"
WSGI_APPLICATION = "operant.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def _database_config() -> dict:
    default_url = f"sqlite:///{DATA_DIR / 'operant.sqlite3'}"
    url = env_str("DATABASE_URL", default_url)
    try:
        config = dj_database_url.parse(url, conn_max_age=env_int("OPERANT_DB_CONN_MAX_AGE", 60))
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL: {exc}") from None
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets the web, worker and smtpd processes read while one writes; IMMEDIATE makes a
        # writer take the lock at BEGIN, so two writers queue instead of failing mid-transaction.
        # Connections are kept (OPERANT_DB_CONN_MAX_AGE) as on PostgreSQL: closing the last
        # connection to a WAL database checkpoints it and deletes the WAL with fsyncs, and the
        # next connection builds it again; per request that tripled the cost of a ping.
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    return config


DATABASES = {"default": _database_config()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Custom user from the first migration: swapping it later is a painful data migration.
AUTH_USER_MODEL = "accounts.User"

# Django's model backend behind a per-account and per-network throttle of failed passwords.
AUTHENTICATION_BACKENDS = ["operant.accounts.throttle.ThrottledModelBackend"]
# How many reverse proxies stand in front of the web processes: the client address used to
# throttle sign-ins is then the one the outermost of them put in X-Forwarded-For.
OPERANT_TRUSTED_PROXIES = env_int("OPERANT_TRUSTED_PROXIES", 0, minimum=0)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

EMAIL_BACKEND = env_str("OPERANT_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
# With the file backend (what scripts/start uses), outgoing mail lands here as .log files.
EMAIL_FILE_PATH = DATA_DIR / "outbox"
EMAIL_HOST = env_str("OPERANT_SMTP_HOST", "127.0.0.1")
EMAIL_PORT = env_int("OPERANT_SMTP_PORT", 25)
# More addresses the inbound SMTP listener accepts (the policy's support address always).
OPERANT_INBOUND_ADDRESSES = env_list("OPERANT_INBOUND_ADDRESSES", [])
DEFAULT_FROM_EMAIL = env_str("OPERANT_FROM_EMAIL", "support@operantco.com")

# The support mailbox `operant imap` polls; unset host = no IMAP channel. The password may come
# from OPERANT_IMAP_PASSWORD_FILE. An empty processed folder means "flag \Seen" instead of moving.
OPERANT_IMAP_HOST = env_str("OPERANT_IMAP_HOST", "")
OPERANT_IMAP_SSL = env_bool("OPERANT_IMAP_SSL", True)
OPERANT_IMAP_PORT = env_int("OPERANT_IMAP_PORT", 993 if OPERANT_IMAP_SSL else 143, minimum=1)
OPERANT_IMAP_USER = env_str("OPERANT_IMAP_USER", "")
OPERANT_IMAP_PASSWORD = env_str("OPERANT_IMAP_PASSWORD", "")
OPERANT_IMAP_FOLDER = env_str("OPERANT_IMAP_FOLDER", "INBOX")
OPERANT_IMAP_PROCESSED_FOLDER = env_str("OPERANT_IMAP_PROCESSED_FOLDER", "Processed")
# Without IDLE on the server, the mailbox is polled this often.
OPERANT_IMAP_POLL_SECONDS = env_int("OPERANT_IMAP_POLL_SECONDS", 60, minimum=1)

# Operant's own Twilio account, which sends staff alerts by SMS (operant.notify.transports.sms;
# read at each send). The token may come from OPERANT_TWILIO_AUTH_TOKEN_FILE. Unset: SMS alerts
# fail at once with a message naming what is missing.
OPERANT_TWILIO_ACCOUNT_SID = env_str("OPERANT_TWILIO_ACCOUNT_SID", "")
OPERANT_TWILIO_AUTH_TOKEN = env_str("OPERANT_TWILIO_AUTH_TOKEN", "")
OPERANT_TWILIO_FROM_NUMBER = env_str("OPERANT_TWILIO_FROM_NUMBER", "")

# Provider inbound webhooks (django-anymail). Mailgun signs each post with this key; without it
# the webhook answers 503 rather than accept unsigned mail.
ANYMAIL = {
    "MAILGUN_WEBHOOK_SIGNING_KEY": env_str("OPERANT_MAILGUN_WEBHOOK_SIGNING_KEY", ""),
}

# Monitoring (operant.monitoring): a heartbeat's body is kept up to this many bytes (the rest is
# cut and the ping says so), as healthchecks.io's PING_BODY_LIMIT.
OPERANT_PING_BODY_LIMIT = env_int("OPERANT_PING_BODY_LIMIT", 10_000, minimum=0)

# The Fernet key clients' stored credentials are encrypted with (operant.monitoring.credentials);
# empty: one derived from the secret key.
OPERANT_CREDENTIALS_KEY = env_str("OPERANT_CREDENTIALS_KEY", "")
if OPERANT_CREDENTIALS_KEY:
    try:
        _key_ok = len(base64.urlsafe_b64decode(OPERANT_CREDENTIALS_KEY.encode())) == 32
    except ValueError:
        _key_ok = False
    if not _key_ok:
        raise ImproperlyConfigured(
            "OPERANT_CREDENTIALS_KEY: expected a Fernet key (32 bytes in url-safe base64), "
            "as cryptography's Fernet.generate_key() makes"
        )

# Meta (Instagram) webhooks at /webhooks/meta: the app secret signs each post
# (X-Hub-Signature-256), the verify token answers Meta's subscription handshake. Either may come
# from a file (NAME_FILE); unset, that half of the endpoint answers 503 rather than accept
# unsigned posts. Stripped: a secret file's trailing newline is not part of the secret.
OPERANT_META_APP_SECRET = env_str("OPERANT_META_APP_SECRET", "").strip()
OPERANT_META_VERIFY_TOKEN = env_str("OPERANT_META_VERIFY_TOKEN", "").strip()

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("OPERANT_LOG_LEVEL", "INFO")},
    # aiosmtpd logs every SMTP command at INFO; keep its warnings only.
    "loggers": {"django": {"level": "WARNING"}, "mail.log": {"level": "WARNING"}},
}
