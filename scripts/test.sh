#!/usr/bin/env bash
# The whole test suite on real PostgreSQL, Redis, Celery, daphne and Chromium.
# Extra arguments go to pytest (e.g. scripts/test.sh tests/e2e -x).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
scripts/bootstrap.sh --test
# Stop the services at the end only if this run started them.
started=1
if psql -h 127.0.0.1 -p "${ZHDJ_PG_PORT:-54329}" -U postgres -Atc "select 1" >/dev/null 2>&1 \
   && redis-cli -p "${ZHDJ_REDIS_PORT:-63799}" ping >/dev/null 2>&1; then
  started=0
fi
ZHDJ_PG_FAST=1 deploy/local/services.sh start
if [ "$started" = 1 ]; then trap 'deploy/local/services.sh stop' EXIT; fi
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/python -m pytest "$@"
