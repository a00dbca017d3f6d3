"""Several uvicorn workers, each accepting on a listening socket of its own (Linux's ``SO_REUSEPORT``).

uvicorn's own ``workers=N`` binds one socket in its parent and shares it: whichever worker wakes first accepts every
connection waiting, so a burst of new connections (a client's keep-alive pool opening, a load generator starting)
can all land on one worker, which then serves them alone while the others idle (``bench/README.md``, "Two workers on
2 CPUs": about one burst of 32 in ten, with two workers). Here each worker binds a socket of its own to the same address
and the kernel spreads new connections over them by the hash of their addresses. Elsewhere than Linux (where several
binds succeed but one socket gets every connection) ``outbound serve`` keeps uvicorn's own mode.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import socket
import sys
import threading
import time
from multiprocessing.process import BaseProcess
from types import FrameType
from typing import Any

import uvicorn

STARTUP_FAILURE = 3  # a worker that could not start (uvicorn's code for it): starting another would fail alike


def available() -> bool:
    return sys.platform == "linux" and hasattr(socket, "SO_REUSEPORT")


def bound_socket(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def serve(target: str, host: str, port: int, workers: int, options: dict[str, Any]) -> None:
    """Run ``workers`` processes serving the app factory ``target`` until SIGINT or SIGTERM; a worker that dies is
    replaced, as uvicorn's supervisor does. This process holds a bound socket that never listens (so it takes no
    connections): the port stays this server's while workers start and restart."""
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, on_signal)
    context = multiprocessing.get_context("spawn")

    def start() -> BaseProcess:
        process = context.Process(target=_worker, args=(target, host, port, options))
        process.start()
        return process

    with bound_socket(host, port):
        processes = [start() for _ in range(workers)]
        try:
            while not stop.wait(0.5):
                for index, process in enumerate(processes):
                    if process.exitcode == STARTUP_FAILURE:
                        sys.exit(STARTUP_FAILURE)
                    if process.exitcode is not None:
                        processes[index] = start()
        finally:
            for process in processes:
                if process.exitcode is None:
                    process.terminate()  # SIGTERM: uvicorn finishes the requests under way
            for process in processes:
                process.join()


def _worker(target: str, host: str, port: int, options: dict[str, Any]) -> None:
    server = uvicorn.Server(uvicorn.Config(target, host=host, port=port, factory=True, **options))
    threading.Thread(target=_stop_with_parent, args=(server, os.getppid()), daemon=True).start()
    server.run(sockets=[bound_socket(host, port)])  # an app that cannot start exits STARTUP_FAILURE


def _stop_with_parent(server: uvicorn.Server, parent: int) -> None:
    """A worker whose parent was killed outright (SIGKILL, the OOM killer) stops rather than serve on unsupervised,
    holding the port."""
    while os.getppid() == parent:
        time.sleep(1)
    server.should_exit = True
