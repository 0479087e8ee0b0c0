#!/usr/bin/env bash
# Run the platform with demo data: private PostgreSQL + Redis, daphne, Celery worker
# and beat. Ctrl-C stops everything this script started.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
scripts/bootstrap.sh
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-zhdj.settings.local}
# The demo shows what a county would see: the product's error pages, never a traceback.
export DJANGO_DEBUG=${DJANGO_DEBUG:-0}
export PYTHONPATH="$ROOT/src:$ROOT"
export ZHDJ_PORT=${ZHDJ_PORT:-8000}
PORT=$ZHDJ_PORT
eval "$(deploy/local/services.sh env | sed 's/^/export /')"
deploy/local/services.sh start

pids=()
stop_all() {
  trap - INT TERM EXIT
  echo; echo "stopping..."
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  deploy/local/services.sh stop
}
trap stop_all INT TERM EXIT

scripts/db-setup.sh
# The demo's accounts share a published password: seed_demo asks for ZHDJ_DEMO=1.
ZHDJ_DEMO=1 .venv/bin/python manage.py seed_demo | tee .local/demo-logins.txt

# The SMS double (Aliyun's protocol, TEST ONLY key): logins' messages land on its page.
.venv/bin/python -m zhdj.messaging.sms_double --port "${ZHDJ_SMS_DOUBLE_PORT:-8125}" \
  --outbox .local/sms-outbox.jsonl & pids+=($!)
export ZHDJ_SMS_ENDPOINT="http://127.0.0.1:${ZHDJ_SMS_DOUBLE_PORT:-8125}/"
.venv/bin/daphne -b 127.0.0.1 -p "$PORT" zhdj.asgi:application & pids+=($!)
.venv/bin/celery -A zhdj worker -l warning --concurrency 2 & pids+=($!)
.venv/bin/celery -A zhdj beat -l warning -s .local/celerybeat-schedule & pids+=($!)

cat <<MSG

  智慧党建云 is running — Ctrl-C stops everything this command started.
    SMS sent by the demo (test double, nothing leaves the machine): ${ZHDJ_SMS_ENDPOINT}
$(sed 's/^/    /' .local/demo-logins.txt)

MSG
wait -n "${pids[@]}"
