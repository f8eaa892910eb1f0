# Start a throwaway PostgreSQL 15 cluster on loopback for the test run, and stop it afterwards.
# Source it, then: pg_start (exports DATABASE_URL) ... pg_stop.

PG_BIN=/usr/lib/postgresql/15/bin
PG_PORT="${OPERANT_TEST_PG_PORT:-54329}"
PG_DIR=""

_as_pg() {
  # PostgreSQL refuses to run as root; root runs it as the `postgres` user the package created.
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_start() {
  ensure_debs postgresql-15 postgresql-client-15
  PG_DIR="$(mktemp -d /tmp/operant-pg.XXXXXX)"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$PG_DIR"
  _as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 --no-locale >/dev/null \
    || die "initdb failed"
  # Durability is pointless for a throwaway test cluster; these make the suite faster.
  _as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w start -o \
    "-h 127.0.0.1 -p $PG_PORT -k $PG_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100" \
    >/dev/null || { cat "$PG_DIR/log" >&2; die "PostgreSQL did not start"; }
  export DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/operant"
  say "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT"
}

pg_stop() {
  [ -n "$PG_DIR" ] || return 0
  _as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
  PG_DIR=""
}
