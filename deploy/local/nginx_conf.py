"""The production nginx site (deploy/nginx/zhdj.conf) on loopback, for ``make demo`` and the
benchmarks: the same upstreams, locations and headers, with only these lines rewritten —
listen on one loopback port without TLS (the redirect server and the ssl_* lines go; no
HSTS, which a browser would remember for the host), the Host header with its port, upstream
addresses, the static folder and the log paths. nginx runs as the current user with
everything under ``prefix``.

    .venv/bin/python deploy/local/nginx_conf.py --prefix .local/nginx --port 8000 \\
        --web 127.0.0.1:8010 --ws 127.0.0.1:8011 --static .local/staticfiles
    nginx -p .local/nginx -c nginx.conf -e .local/nginx/error.log
"""

from __future__ import annotations

import argparse
import os
import re
from pathlib import Path

SITE = Path(__file__).resolve().parents[1] / "nginx" / "zhdj.conf"


def site(*, port: int, web: str, ws: str, static: Path, logs: Path) -> str:
    text = SITE.read_text(encoding="utf-8")
    redirect = re.compile(r"# Plain HTTP:.*?\n\}\n", re.S)
    text, n = redirect.subn("", text)
    assert n == 1, "the plain-HTTP redirect server is not where it was"
    text = re.sub(r"^\s*listen \[::\]:443 .*\n", "", text, flags=re.M)
    text = re.sub(r"listen 443 ssl[^;]*;", f"listen 127.0.0.1:{port};", text)
    text = re.sub(r"^\s*ssl_\w+ .*\n", "", text, flags=re.M)
    text = re.sub(r"^\s*add_header Strict-Transport-Security .*\n", "", text, flags=re.M)
    text = re.sub(r"server_name [^;]*;", "server_name _;", text)
    text = text.replace("server 127.0.0.1:8000;", f"server {web};")
    text = text.replace("server 127.0.0.1:8001;", f"server {ws};")
    text = text.replace("alias /opt/zhdj/staticfiles/;", f"alias {static.resolve()}/;")
    # The browser's Host carries the port here (:8000): Django compares it with the Origin
    # of every form it receives (CSRF), so it must arrive whole. Production listens on the
    # default port, where $host and $http_host are the same.
    text = text.replace("proxy_set_header Host $host;", "proxy_set_header Host $http_host;")
    return text.replace("/var/log/nginx/", f"{logs.resolve()}/")


def main_conf(prefix: Path, *, workers: str = "auto") -> str:
    """nginx.conf around the site: runs unprivileged, temp files under ``prefix``."""
    p = prefix.resolve()
    user = "user root root;\n" if os.geteuid() == 0 else ""
    temps = "\n".join(
        f"    {kind}_temp_path {p}/temp/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""{user}worker_processes {workers};
daemon off;
pid {p}/nginx.pid;
error_log {p}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
{temps}
    include {p}/zhdj.conf;
}}
"""


def write(
    prefix: Path, *, port: int, web: str, ws: str, static: Path, workers: str = "auto"
) -> Path:
    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / "temp" / kind).mkdir(parents=True, exist_ok=True)
    (prefix / "zhdj.conf").write_text(
        site(port=port, web=web, ws=ws, static=static, logs=prefix), encoding="utf-8"
    )
    conf = prefix / "nginx.conf"
    conf.write_text(main_conf(prefix, workers=workers), encoding="utf-8")
    return conf


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--prefix", type=Path, required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--web", required=True, help="gunicorn address, host:port")
    parser.add_argument("--ws", required=True, help="daphne address, host:port")
    parser.add_argument("--static", type=Path, required=True)
    parser.add_argument("--workers", default="auto", help="nginx worker_processes")
    args = parser.parse_args()
    conf = write(
        args.prefix,
        port=args.port,
        web=args.web,
        ws=args.ws,
        static=args.static,
        workers=args.workers,
    )
    print(conf.resolve())


if __name__ == "__main__":
    main()
