#!/usr/bin/env bash
# Private PostgreSQL 15 + Redis for development, tests and benchmarks.
# Everything lives under .local/ (git-ignored) and listens on loopback only.
#   deploy/local/services.sh start|stop|status|env
# Ports: ZHDJ_PG_PORT (default 54329), ZHDJ_REDIS_PORT (default 63799).
# Set ZHDJ_PG_FAST=1 to run PostgreSQL without fsync (tests, benchmarks only).
#   deploy/local/services.sh purge   stop and delete the data (also the folder below)
#
# As root, PostgreSQL runs as the `postgres` user (initdb refuses root). When that user
# cannot reach the checkout (a clone in root's home folder, mode 700, on a fresh server),
# its data and socket folder live in /var/lib/zhdj-local/<checkout hash>/ instead, and
# .local/pgdata is a symbolic link to it.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LOCAL="$ROOT/.local"
PG_PORT=${ZHDJ_PG_PORT:-54329}
REDIS_PORT=${ZHDJ_REDIS_PORT:-63799}
RUN="$LOCAL/run"
mkdir -p "$LOCAL"

outside_home() {
  echo "/var/lib/zhdj-local/$(printf '%s' "$ROOT" | sha256sum | cut -c1-16)"
}

# Where the cluster lives: under .local/ when postgres can reach it, else outside.
if [ -L "$LOCAL/pgdata" ]; then
  PGHOME=$(dirname "$(readlink "$LOCAL/pgdata")")
elif [ "$(id -u)" = 0 ] && [ ! -s "$LOCAL/pgdata/PG_VERSION" ] \
    && ! (cd / && runuser -u postgres -- test -x "$LOCAL") 2>/dev/null; then
  PGHOME=$(outside_home)
  mkdir -p "$PGHOME/pgdata" "$PGHOME/run"
  chown postgres "$PGHOME" "$PGHOME/pgdata" "$PGHOME/run"
  chmod 700 "$PGHOME/pgdata"
  ln -sfn "$PGHOME/pgdata" "$LOCAL/pgdata"
else
  PGHOME="$LOCAL"
fi
PGDATA="$PGHOME/pgdata"
PGRUN="$PGHOME/run"
PGBIN=$( (command -v pg_config >/dev/null && pg_config --bindir) || echo /usr/lib/postgresql/15/bin)
[ -x "$PGBIN/initdb" ] || PGBIN=/usr/lib/postgresql/15/bin

as_pg() {
  # initdb refuses to run as root: use the postgres system user when we are root.
  # From / : the postgres user may not be allowed into the current folder.
  if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

pg_start() {
  mkdir -p "$RUN" "$PGRUN"
  if [ "$(id -u)" = 0 ]; then chown postgres "$PGRUN"; fi
  if [ ! -s "$PGDATA/PG_VERSION" ]; then
    mkdir -p "$PGDATA"
    if [ "$(id -u)" = 0 ]; then chown postgres "$PGDATA"; fi
    as_pg "$PGBIN/initdb" -D "$PGDATA" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
      >"$LOCAL/initdb.log"
  fi
  if as_pg "$PGBIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
    echo "postgresql: already running on 127.0.0.1:$PG_PORT"; return
  fi
  local opts="-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PGRUN -c max_connections=300"
  opts="$opts -c shared_buffers=512MB -c max_locks_per_transaction=256"
  if [ "${ZHDJ_PG_FAST:-0}" = 1 ]; then
    opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  fi
  as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGRUN/postgresql.log" -o "$opts" -w start >/dev/null
  echo "postgresql: started on 127.0.0.1:$PG_PORT"
}

redis_start() {
  mkdir -p "$RUN"
  if redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    echo "redis: already running on 127.0.0.1:$REDIS_PORT"; return
  fi
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no \
    --daemonize yes --pidfile "$RUN/redis.pid" --logfile "$LOCAL/redis.log" --dir "$LOCAL"
  for _ in $(seq 50); do
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  echo "redis: started on 127.0.0.1:$REDIS_PORT"
}

stop() {
  if [ -s "$PGDATA/PG_VERSION" ]; then
    as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null 2>&1 && echo "postgresql: stopped" || true
  fi
  if [ -s "$RUN/redis.pid" ]; then
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 && echo "redis: stopped" || true
  fi
}

case "${1:-}" in
  start) pg_start; redis_start ;;
  stop) stop ;;
  purge)
    stop
    if [ "$PGHOME" != "$LOCAL" ]; then rm -rf "$PGHOME"; fi
    rm -rf "$LOCAL" ;;
  status)
    as_pg "$PGBIN/pg_ctl" -D "$PGDATA" status || true
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping || true ;;
  env)
    echo "DATABASE_URL=postgres://postgres@127.0.0.1:$PG_PORT/zhdj"
    echo "REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0" ;;
  *) echo "usage: $0 start|stop|status|env|purge" >&2; exit 2 ;;
esac
