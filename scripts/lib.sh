# Shared bootstrap steps for scripts/start and scripts/test. Source it; do not run it.
# Idempotent: a second run only checks that everything is already in place.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY=python3.11

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Install Debian packages that are missing (needs root or sudo; this machine kind runs as root).
ensure_debs() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing Debian packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" \
    >/dev/null || die "could not install ${missing[*]}"
}

# Create the virtual environment and install the project with its dev extras when
# pyproject.toml changed since the last install (a stamp file holds its checksum).
ensure_venv() {
  command -v "$PY" >/dev/null || PY=python3
  "$PY" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' \
    || die "Python 3.11 is required ($PY is $("$PY" --version 2>&1))"
  [ -x "$VENV/bin/python" ] || { say "creating $VENV"; "$PY" -m venv "$VENV" || die "venv failed"; }
  local stamp="$VENV/.operant-installed" sum
  sum="$(sha256sum "$ROOT/pyproject.toml" | cut -d' ' -f1)"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$sum" ]; then
    say "installing Python dependencies"
    "$VENV/bin/python" -m pip install -q --upgrade pip >/dev/null || die "pip upgrade failed"
    "$VENV/bin/python" -m pip install -q -e "$ROOT[dev]" || die "pip install failed"
    echo "$sum" >"$stamp"
  fi
  export PATH="$VENV/bin:$PATH"
}
