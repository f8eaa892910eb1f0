"""The `operant` command: Django's management utility with the project's settings.

Errors reach the user as one line on stderr and a non-zero exit, never as a traceback
(pass ``--traceback`` to see one when debugging).
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    argv[0] = "operant"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "operant.settings")
    from django.core.exceptions import ImproperlyConfigured

    try:
        from django.core.management import ManagementUtility

        ManagementUtility(argv).execute()
    except ImproperlyConfigured as exc:
        print(f"operant: configuration error: {exc}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # the last line of defence against a traceback
        if "--traceback" in argv:
            raise
        print(f"operant: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
