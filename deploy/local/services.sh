#!/usr/bin/env bash
# Private PostgreSQL 15 + Redis for development, tests and benchmarks.
# Everything lives under .local/ (git-ignored) and listens on loopback only.
#   deploy/local/services.sh start|stop|status|env
# Ports: ZHDJ_PG_PORT (default 54329), ZHDJ_REDIS_PORT (default 63799).
# Set ZHDJ_PG_FAST=1 to run PostgreSQL without fsync (tests, benchmarks only).
# Whole-database backups (docs/operations.md, "Whole-database backup"):
#   ZHDJ_PG_ARCHIVE=1 deploy/local/services.sh start   archive every WAL segment to pitr/wal
#   deploy/local/services.sh basebackup                 a base backup (keeps ZHDJ_PITR_KEEP, 7)
#   deploy/local/services.sh pitr-restore BASE [TIME]   stopped server: restore BASE, replay
#                                                       WAL up to TIME (default: all of it)
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
PITR="$PGHOME/pitr"
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
  if [ "${ZHDJ_PG_ARCHIVE:-0}" = 1 ]; then
    mkdir -p "$PITR/wal"
    if [ "$(id -u)" = 0 ]; then chown -R postgres "$PITR"; fi
    opts="$opts -c archive_mode=on -c archive_timeout=300"
    opts="$opts -c archive_command='test ! -f $PITR/wal/%f && cp %p $PITR/wal/%f'"
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

basebackup() {
  # The whole cluster, consistent on its own (-X stream) and, with the WAL archive, the
  # starting point of a point-in-time recovery. The oldest beyond ZHDJ_PITR_KEEP go, with
  # the archived WAL only they needed.
  local dest
  dest="$PITR/base/$(date -u +%Y%m%dT%H%M%SZ)"
  mkdir -p "$PITR/base"
  if [ "$(id -u)" = 0 ]; then chown -R postgres "$PITR"; fi
  as_pg "$PGBIN/pg_basebackup" -h 127.0.0.1 -p "$PG_PORT" -U postgres -D "$dest" -Ft -z \
    -X stream -c fast --no-password
  echo "base backup: $dest"
  local keep=${ZHDJ_PITR_KEEP:-7}
  ls -1d "$PITR"/base/*/ | head -n "-$keep" | xargs -r rm -rf
  local oldest
  oldest=$(ls -1d "$PITR"/base/*/ | head -n 1)
  local first
  first=$(tar -xzOf "$oldest/base.tar.gz" backup_label |
    sed -n 's/^START WAL LOCATION: .* (file \(.*\))$/\1/p')
  if [ -d "$PITR/wal" ] && [ -n "$first" ]; then
    as_pg "$PGBIN/pg_archivecleanup" "$PITR/wal" "$first"
  fi
}

pitr_restore() {
  local base=${1:?usage: services.sh pitr-restore BASE_DIR [TARGET_TIME]} target=${2:-}
  if as_pg "$PGBIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
    echo "stop the server first: deploy/local/services.sh stop" >&2; exit 1
  fi
  local aside
  aside="$PGDATA.before-$(date -u +%Y%m%dT%H%M%SZ)"
  mv "$PGDATA" "$aside"
  mkdir -p "$PGDATA"
  tar -xzf "$base/base.tar.gz" -C "$PGDATA"
  tar -xzf "$base/pg_wal.tar.gz" -C "$PGDATA/pg_wal"
  {
    echo "restore_command = 'cp $PITR/wal/%f %p'"
    echo "recovery_target_action = 'promote'"
    if [ -n "$target" ]; then echo "recovery_target_time = '$target'"; fi
  } >>"$PGDATA/postgresql.auto.conf"
  touch "$PGDATA/recovery.signal"
  chmod 700 "$PGDATA"
  if [ "$(id -u)" = 0 ]; then chown -R postgres "$PGDATA"; fi
  echo "restored $base into $PGDATA (the previous data is in $aside);"
  echo "start the services: recovery replays the archived WAL${target:+ up to $target}."
}

case "${1:-}" in
  start) pg_start; redis_start ;;
  basebackup) basebackup ;;
  pitr-restore) shift; pitr_restore "$@" ;;
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
  *) echo "usage: $0 start|stop|status|env|purge|basebackup|pitr-restore" >&2; exit 2 ;;
esac
