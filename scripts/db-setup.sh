#!/usr/bin/env bash
# Create the database if missing, migrate the public schema, the template schema and
# every county schema. Safe to run again.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
PG_PORT=${ZHDJ_PG_PORT:-54329}
DB=${ZHDJ_DB_NAME:-zhdj}
if ! psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -Atc "select 1 from pg_database where datname='$DB'" | grep -q 1; then
  createdb -h 127.0.0.1 -p "$PG_PORT" -U postgres "$DB"
fi
.venv/bin/python manage.py migrate_schemas --shared -v 0
.venv/bin/python manage.py sync_template_schema -v 0
.venv/bin/python manage.py migrate_schemas --tenant --executor pending -v 0
