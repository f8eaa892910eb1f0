"""WSGI entry point for `operant web` (granian) and any other WSGI server."""

import os

from django.core.wsgi import get_wsgi_application

from operant.core.security import require_secret_key

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "operant.settings")
application = get_wsgi_application()
require_secret_key()  # any WSGI server, not only `operant web`, refuses to serve without one
