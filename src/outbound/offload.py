"""Running a request's blocking work (the protocol endpoints' writes) in a worker thread, off the event loop.

Starlette's ``run_in_threadpool`` (anyio's ``to_thread.run_sync``) spends most of a hop on anyio's own bookkeeping
(finding the async backend, its run variables, its capacity limiter); the event loop's ``run_in_executor`` on a
plain thread pool makes the same hop for about a third of the CPU time with 32 requests in flight
(``bench/README.md``). The pool has anyio's default size: 40 threads.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
THREADS = 40

_pool: ThreadPoolExecutor | None = None
_lock = threading.Lock()


async def in_thread(work: Callable[..., T], *args: object) -> T:
    """``work(*args)`` in a worker thread; the awaiting request waits for it."""
    return await asyncio.get_running_loop().run_in_executor(_threads(), work, *args)


def _threads() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:
        with _lock:
            if _pool is None:  # made on first use, in the process that serves (after any fork)
                _pool = ThreadPoolExecutor(THREADS, thread_name_prefix="outbound-request")
    return _pool
