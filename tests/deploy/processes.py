"""Stopping the nginx the deploy tests run for real (test_compose.py, test_helm_chart.py)."""

from __future__ import annotations

import subprocess


def stop(proc: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL after 5 s; its output pipe closed."""
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    if proc.stdout:
        proc.stdout.close()
