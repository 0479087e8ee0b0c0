# 智慧党建云 — the two commands a newcomer needs are `make demo` and `make test`.
.PHONY: demo test lint format bench lock services-start services-stop clean

demo:            ## run the platform with demo data (Ctrl-C stops everything)
	scripts/demo.sh

test:            ## install what is missing, start PostgreSQL + Redis, run every test
	scripts/test.sh

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/lint-imports --config pyproject.toml

format:
	.venv/bin/ruff format . && .venv/bin/ruff check --fix .

bench:           ## run the benchmark suite (see bench/README.md)
	scripts/bootstrap.sh --test && ZHDJ_PG_FAST=1 deploy/local/services.sh start && .venv/bin/python bench/run.py

lock:            ## after editing pyproject.toml: the lock files with hashes (scripts/lock.sh)
	scripts/lock.sh

services-start:
	deploy/local/services.sh start

services-stop:
	deploy/local/services.sh stop

clean:           ## stop services and remove the local data (.local/, and its PostgreSQL folder)
	deploy/local/services.sh purge
