"""Where a statement's PDF and CSV live, and writing them so a reader never sees half a file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from django.conf import settings


def data_dir() -> Path:
    # Read at call time (guide 4.8): tests and operators point DATA_DIR elsewhere.
    return Path(settings.DATA_DIR)


def relative_name(slug: str, month_key: str, suffix: str) -> str:
    return f"statements/{slug}/{slug}-statement-{month_key}.{suffix}"


def absolute(relative: str) -> Path:
    return data_dir() / relative


def write_atomically(relative: str, content: bytes) -> Path:
    """Write to a temporary file beside the target, then rename over it."""
    path = absolute(relative)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
