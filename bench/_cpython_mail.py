"""The real-world message set of bench/mail_realworld.py: CPython's own email test data.

CPython ships the messages its ``email`` package is tested with (``test/test_email/data/
msg_*.txt``, a few dozen mails collected from the wild over twenty years: mailing-list digests,
bounces, mbox ``From `` lines, CRLF files, a message with no headers at all). Nobody here wrote
them, so they measure the desk on mail it was not shaped around. They are used by the benchmark
only, never to tune the parser (issue 9).

They are found through the running interpreter (``importlib.util.find_spec("test.test_email")``,
then the standard library's own path). Debian's system Python leaves its tests out of the
standard library package: they come with ``libpython3.X-testsuite``, which is installed when it
is missing (``ensure_debs`` in scripts/lib.sh); any other Python without them is one clear error.

A few dozen files are too few to time, and a desk stores a message once per Message-ID, so the
set is the files taken in turn until it has the wanted count, each copy with a Message-ID of its
own: the top-level Message-ID header is replaced (or added, after an mbox ``From `` line if there
is one), the rest of the bytes is the file's.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

DEFAULT_COUNT = 3000
MESSAGE_ID_DOMAIN = "realworld.bench.invalid"
_MESSAGE_ID_LINE = re.compile(rb"message-id[ \t]*:", re.IGNORECASE)
_LIB_SH = Path(__file__).resolve().parent.parent / "scripts" / "lib.sh"


class MissingData(RuntimeError):
    """CPython's email test data is not installed and could not be installed."""


@dataclass(frozen=True)
class RealMail:
    raw: bytes
    source: str  # the CPython file it is a copy of
    message_id: str  # without angle brackets

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.raw).hexdigest()


def _candidate_dirs() -> list[Path]:
    dirs = []
    try:
        spec = importlib.util.find_spec("test.test_email")
    except ImportError:  # no ``test`` package at all
        spec = None
    if spec is not None and spec.submodule_search_locations:
        dirs.extend(Path(location) / "data" for location in spec.submodule_search_locations)
    dirs.append(Path(sysconfig.get_paths()["stdlib"]) / "test" / "test_email" / "data")
    return dirs


def _find_data() -> Path | None:
    for directory in _candidate_dirs():
        if any(directory.glob("msg_*.txt")):
            return directory
    return None


def _debian_testsuite_package() -> str | None:
    """The Debian package holding this Python's tests, when this is Debian's system Python."""
    if sys.base_prefix != "/usr" or not Path("/etc/debian_version").exists():
        return None
    return f"libpython{sys.version_info.major}.{sys.version_info.minor}-testsuite"


def locate_data() -> Path:
    """The directory of CPython's ``msg_*.txt`` files, installing Debian's package if needed."""
    found = _find_data()
    if found is not None:
        return found
    package = _debian_testsuite_package()
    if package is not None:
        print(f"installing {package} for CPython's email test data", file=sys.stderr)
        done = subprocess.run(
            ["bash", "-c", f'source "{_LIB_SH}" && ensure_debs {package}'],
            stdout=subprocess.DEVNULL,
        )
        found = _find_data() if done.returncode == 0 else None
        if found is not None:
            return found
    raise MissingData(
        f"CPython's email test data (test/test_email/data/msg_*.txt) is not installed with "
        f"{sys.executable} (Python {sys.version.split()[0]}, stdlib "
        f"{sysconfig.get_paths()['stdlib']})"
        + (f"; installing {package} failed" if package else "; use a Python that ships its tests")
    )


def with_message_id(raw: bytes, message_id: str) -> bytes:
    """``raw`` with its top-level Message-ID header(s) replaced by ``<message_id>``.

    Only the header block is touched (up to the first empty line), so a Message-ID inside an
    attached or bounced message stays as it was. The line ending is the file's own.
    """
    lines = raw.splitlines(keepends=True)
    ending = b"\r\n" if lines and lines[0].endswith(b"\r\n") else b"\n"
    kept: list[bytes] = []
    in_headers = True
    dropping = False
    for line in lines:
        if in_headers and line in (b"\n", b"\r\n"):
            in_headers = False
        if in_headers:
            if dropping and line[:1] in (b" ", b"\t"):
                continue  # a folded line of the Message-ID being replaced
            dropping = bool(_MESSAGE_ID_LINE.match(line))
            if dropping:
                continue
        kept.append(line)
    at = 1 if kept and kept[0].startswith(b"From ") else 0  # after an mbox envelope line
    kept.insert(at, b"Message-ID: <" + message_id.encode("ascii") + b">" + ending)
    return b"".join(kept)


def generate(count: int = DEFAULT_COUNT, data_dir: Path | None = None) -> list[RealMail]:
    """``count`` messages: CPython's files in turn, each copy with a Message-ID of its own."""
    sources = sorted((data_dir or locate_data()).glob("msg_*.txt"))
    originals = [(path.stem, path.read_bytes()) for path in sources]
    mails = []
    for index in range(count):
        stem, raw = originals[index % len(originals)]
        message_id = f"copy{index:05d}.{stem}@{MESSAGE_ID_DOMAIN}"
        mails.append(RealMail(with_message_id(raw, message_id), f"{stem}.txt", message_id))
    return mails


if __name__ == "__main__":
    data = locate_data()
    mails = generate(int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_COUNT, data)
    size = sum(len(m.raw) for m in mails)
    files = len({m.source for m in mails})
    print(f"{len(mails)} messages from {files} files in {data}, {size / 1e6:.1f} MB")
