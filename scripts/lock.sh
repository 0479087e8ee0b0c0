#!/usr/bin/env bash
# Lock every Python package with its hashes, so that an install reproduces exactly:
#   requirements.lock      what the application needs (the Docker image installs this)
#   requirements-dev.lock  the same plus the test and bench tools (scripts/bootstrap.sh)
# uv keeps the versions already in the lock files; pass --upgrade (or
# --upgrade-package NAME) to move on. Run after changing pyproject.toml; commit both files.
set -euo pipefail
cd "$(dirname "$0")/.."
opts=(--generate-hashes --python-version 3.11 --python-platform x86_64-manylinux_2_28
      --no-header --annotation-style line --quiet "$@")
.venv/bin/uv pip compile pyproject.toml "${opts[@]}" -o requirements.lock
.venv/bin/uv pip compile pyproject.toml --extra dev -c requirements.lock "${opts[@]}" \
  -o requirements-dev.lock
