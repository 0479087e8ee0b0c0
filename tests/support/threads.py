"""Run ORM/service code in a plain thread (Playwright's sync API holds an event loop
in the test thread, where async_to_sync cannot run)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from django.db import connection

T = TypeVar("T")


def in_thread(func: Callable[[], T]) -> T:
    def run() -> T:
        try:
            return func()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def run_async(make_coroutine: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """asyncio.run in a fresh thread (the test thread may already run a loop)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make_coroutine())).result()
