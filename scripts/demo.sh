#!/usr/bin/env bash
# Run the platform with demo data, in production's shape: nginx (deploy/nginx/zhdj.conf on
# loopback) in front of gunicorn (pages, API) and daphne (websockets), Celery worker and
# beat, private PostgreSQL + Redis; hashed, compressed static files served by nginx.
# Ctrl-C stops everything this script started (PostgreSQL and Redis only if it started them).
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
WEB_ADDR=127.0.0.1:$((PORT + 10))   # gunicorn
WS_ADDR=127.0.0.1:$((PORT + 11))    # daphne
# As in production: nginx serves /static/ (hashed names), and appends the client's address
# to X-Forwarded-For (one proxy to trust).
export ZHDJ_SERVE_STATIC=0 ZHDJ_STATIC_MANIFEST=1 ZHDJ_STATIC_ROOT="$ROOT/.local/staticfiles"
export ZHDJ_TRUSTED_PROXIES=1
# The QR codes of letters and cards open the city site of this demo (plain http, its port).
export ZHDJ_LETTER_VERIFY_BASE=${ZHDJ_LETTER_VERIFY_BASE:-http://city.localhost:$PORT/letters/}
eval "$(deploy/local/services.sh env | sed 's/^/export /')"
# Stop PostgreSQL and Redis at the end only if this run started them (a test run may be
# using them).
started=1
if psql -h 127.0.0.1 -p "${ZHDJ_PG_PORT:-54329}" -U postgres -Atc "select 1" >/dev/null 2>&1 \
   && redis-cli -p "${ZHDJ_REDIS_PORT:-63799}" ping >/dev/null 2>&1; then
  started=0
fi
deploy/local/services.sh start

pids=()
stop_all() {
  trap - INT TERM EXIT
  echo; echo "stopping..."
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ "$started" = 1 ]; then deploy/local/services.sh stop; fi
}
trap stop_all INT TERM EXIT

scripts/db-setup.sh
.venv/bin/python manage.py collectstatic --noinput -v0
# The demo's accounts share a published password: seed_demo asks for ZHDJ_DEMO=1.
ZHDJ_DEMO=1 .venv/bin/python manage.py seed_demo | tee .local/demo-logins.txt

# The SMS double (Aliyun's protocol, TEST ONLY key): logins' messages land on its page.
.venv/bin/python -m zhdj.messaging.sms_double --port "${ZHDJ_SMS_DOUBLE_PORT:-8125}" \
  --outbox .local/sms-outbox.jsonl & pids+=($!)
export ZHDJ_SMS_ENDPOINT="http://127.0.0.1:${ZHDJ_SMS_DOUBLE_PORT:-8125}/"
ZHDJ_WSGI_BIND=$WEB_ADDR .venv/bin/gunicorn -c deploy/gunicorn.conf.py zhdj.wsgi:application & pids+=($!)
.venv/bin/daphne -b "${WS_ADDR%:*}" -p "${WS_ADDR#*:}" --proxy-headers zhdj.asgi:application & pids+=($!)
nginx_conf=$(.venv/bin/python deploy/local/nginx_conf.py --prefix .local/nginx --port "$PORT" \
  --web "$WEB_ADDR" --ws "$WS_ADDR" --static .local/staticfiles)
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
"$NGINX" -p "$ROOT/.local/nginx" -c "$nginx_conf" -e "$ROOT/.local/nginx/error.log" & pids+=($!)
.venv/bin/celery -A zhdj worker -l warning --concurrency 2 & pids+=($!)
.venv/bin/celery -A zhdj beat -l warning -s .local/celerybeat-schedule & pids+=($!)

cat <<MSG

  智慧党建云 is running — Ctrl-C stops everything this command started.
    SMS sent by the demo (test double, nothing leaves the machine): ${ZHDJ_SMS_ENDPOINT}
$(sed 's/^/    /' .local/demo-logins.txt)

MSG
wait -n "${pids[@]}"
