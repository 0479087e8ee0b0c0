"""Named checkpoints in the cross-county acceptance, for fault-injection tests.

``checkpoint(name)`` calls every installed hook with the name; a hook may raise (a crash
between two steps) or block (so a test can kill the process by PID mid-transaction).
Production installs no hook: a checkpoint is one dictionary lookup. The environment
variable ``ZHDJ_TRANSFER_PAUSE_AT`` makes a process stop at that checkpoint for a minute,
which the kill-by-PID test uses on a real subprocess.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

# The checkpoints of a cross-county acceptance, in order: the receiving county's claim,
# the sending county's step, the receiving county's step (``services/envelope_steps.py``).
STEPS = (
    "envelope_locked",
    "envelope_claimed",
    "source_closed",
    "envelope_released",
    "member_imported",
    "account_created",
    "envelope_decided",
)

_hooks: list[Callable[[str], None]] = []


def checkpoint(name: str) -> None:
    if os.environ.get("ZHDJ_TRANSFER_PAUSE_AT") == name:
        print(f"paused at {name}", flush=True)
        time.sleep(60)
    for hook in list(_hooks):
        hook(name)


class InjectedCrash(RuntimeError):
    """Raised by a test hook to simulate a crash at a checkpoint."""


@contextmanager
def crash_at(step: str) -> Iterator[None]:
    def hook(name: str) -> None:
        if name == step:
            raise InjectedCrash(step)

    _hooks.append(hook)
    try:
        yield
    finally:
        _hooks.remove(hook)


@contextmanager
def on_checkpoint(callback: Callable[[str], None]) -> Iterator[None]:
    _hooks.append(callback)
    try:
        yield
    finally:
        _hooks.remove(callback)
