"""gunicorn settings for the web process: every HTTP page and the API (WSGI).

    gunicorn -c deploy/gunicorn.conf.py zhdj.wsgi:application

Websockets (``/ws/``) go to daphne (ASGI) instead; nginx or the ingress routes by path
(deploy/nginx/zhdj.conf). Django runs a sync view under an ASGI server one at a time per
process, so the pages are served here, by several processes (docs/deployment.md, serving).

Sizing: ``WEB_CONCURRENCY`` processes (default: one per core this process may use), each
with ``ZHDJ_WSGI_THREADS`` threads (default 1: sync workers). Measured by bench/serving.py
on 2 cores with PostgreSQL on the same machine (docs/performance.md, serving): 2 sync
workers served 171 req/s, 5 (the usual ``2 × cores + 1``) 139, 2 × 4 threads 151 — the
pages are CPU-bound Python, and more processes than cores only take turns. nginx in front
buffers slow clients, which is what lets sync workers be this few. In a container the
cores are the host's, not the CPU limit: set ``WEB_CONCURRENCY`` there (compose, Helm).
"""

from __future__ import annotations

import os


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def default_workers(cores: int) -> int:
    return cores


bind = os.environ.get("ZHDJ_WSGI_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY") or default_workers(_cores()))
threads = int(os.environ.get("ZHDJ_WSGI_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
# A request that takes longer is killed and logged (the PDF letters and exports finish
# well within it; long work runs in Celery).
timeout = int(os.environ.get("ZHDJ_WSGI_TIMEOUT", "60"))
graceful_timeout = 30
# nginx keeps upstream connections open (keepalive 32): keep them a little longer here.
keepalive = 75
# Recycle a worker now and then: memory that grows slowly never builds up.
max_requests = 5000
max_requests_jitter = 500
# The app is imported in each worker, not before forking: no connection, Sentry thread or
# random state is shared between workers.
preload_app = False
# nginx logs every request; gunicorn logs errors to stderr (the journal / container log).
accesslog = None
errorlog = "-"
loglevel = os.environ.get("ZHDJ_WSGI_LOG_LEVEL", "warning")
# X-Forwarded-Proto from nginx (loopback or the pod network) marks HTTPS requests;
# Django reads the client address itself (zhdj.web.client, ZHDJ_TRUSTED_PROXIES).
forwarded_allow_ips = os.environ.get("ZHDJ_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
proc_name = "zhdj-web"


# Prometheus (zhdj.metrics): with PROMETHEUS_MULTIPROC_DIR every worker writes its figures
# there and a scrape of any worker adds them up. Start from an empty folder; a dead
# worker's gauges go with it.
def on_starting(server: object) -> None:
    # Not zhdj.metrics.prepare_folder: the master imports nothing of the application.
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder, exist_ok=True)


def child_exit(server: object, worker: object) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined]
