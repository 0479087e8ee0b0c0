"""The production serving stack on loopback, for the benchmarks: nginx with the production
site (deploy/nginx/zhdj.conf, rendered by deploy/local/nginx_conf.py as ``make demo`` runs
it) in front of gunicorn with deploy/gunicorn.conf.py (pages, API) and daphne (``/ws/``).

``Stack(settings, **env)`` starts the three on free ports with ``settings`` as the Django
settings module; ``port`` is nginx's. ``Stack(..., nginx=False)`` is gunicorn alone and
``Stack(..., server="daphne")`` one daphne process serving HTTP (what production ran before).
Extra environment (``WEB_CONCURRENCY``, ``ZHDJ_WSGI_THREADS``, the bench's own variables)
goes to the application servers.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "deploy" / "local"))

from bench.common import OUT, child_env, free_port  # noqa: E402

VENV = ROOT / ".venv" / "bin"


class Proc:
    def __init__(self, name: str, cmd: list[str], env: dict[str, str]) -> None:
        OUT.mkdir(parents=True, exist_ok=True)
        self.name = name
        self.log = open(OUT / f"stack-{name}.log", "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=self.log, stderr=self.log)

    def pids(self) -> list[int]:
        """The process and its children (gunicorn's and nginx's workers)."""
        out = subprocess.run(
            ["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True, check=False
        ).stdout
        return [self.proc.pid, *(int(p) for p in out.split())]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


class Stack:
    def __init__(
        self, settings: str, *, nginx: bool = True, server: str = "gunicorn", **env: str
    ) -> None:
        self.procs: list[Proc] = []
        self.tmp = tempfile.TemporaryDirectory(prefix="zhdj-stack-")
        app_env = child_env(settings, **env)
        try:
            if server == "daphne":
                self.port = self.app_port = free_port()
                self.procs.append(_daphne(self.app_port, app_env))
                return
            self.app_port = free_port()
            gunicorn_env = dict(app_env, ZHDJ_WSGI_BIND=f"127.0.0.1:{self.app_port}")
            cmd = [str(VENV / "gunicorn"), "-c", str(ROOT / "deploy" / "gunicorn.conf.py"),
                   "zhdj.wsgi:application"]  # fmt: skip
            self.procs.append(Proc("gunicorn", cmd, gunicorn_env))
            self.port = self.app_port
            if nginx:
                ws, self.port = free_port(), free_port()
                self.procs.append(_daphne(ws, app_env))
                self.procs.append(_nginx(Path(self.tmp.name), self.port, self.app_port, ws))
        except BaseException:
            self.stop()
            raise

    def pids(self) -> list[int]:
        return [pid for p in self.procs for pid in p.pids()]

    def wait_ready(self, host: str, timeout: float = 60, path: str = "/livez") -> None:
        """Until ``path`` answers 200 through the front (nginx when there is one)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for p in self.procs:
                if p.proc.poll() is not None:
                    raise SystemExit(f"{p.name} exited; see {p.log.name}")
            req = urllib.request.Request(
                f"http://127.0.0.1:{self.port}{path}", headers={"Host": host}
            )
            try:
                with urllib.request.urlopen(req, timeout=5) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.3)
        raise SystemExit(f"the stack did not answer {path} in {timeout} s (logs in {OUT})")

    def stop(self) -> None:
        for p in reversed(self.procs):
            p.stop()
        self.tmp.cleanup()

    def __enter__(self) -> Stack:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _daphne(port: int, env: dict[str, str]) -> Proc:
    cmd = [str(VENV / "daphne"), "-b", "127.0.0.1", "-p", str(port), "--verbosity", "0",
           "--proxy-headers", "zhdj.asgi:application"]  # fmt: skip
    return Proc("daphne", cmd, env)


def _nginx(prefix: Path, port: int, web: int, ws: int) -> Proc:
    import nginx_conf

    static = prefix / "static"
    static.mkdir(parents=True, exist_ok=True)
    conf = nginx_conf.write(
        prefix, port=port, web=f"127.0.0.1:{web}", ws=f"127.0.0.1:{ws}", static=static
    )
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    cmd = [binary, "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log")]
    return Proc("nginx", cmd, dict(os.environ))
