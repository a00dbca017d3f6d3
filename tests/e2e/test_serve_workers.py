"""``outbound serve --workers 2`` (uvicorn, Linux): each worker accepts on a socket of its own, so a burst of new
keep-alive connections reaches both rather than whichever woke first; a worker that dies is replaced; SIGTERM
stops them all, and a SIGKILL of the server stops its workers too."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from outbound import reuseport
from tests.helpers import CLEAN_ENV, free_port

pytestmark = pytest.mark.skipif(not reuseport.available(), reason="SO_REUSEPORT spreads connections on Linux only")


def wait_for(what: str, check: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"{what}: not within {timeout:.0f}s"
        time.sleep(0.05)


def healthy(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def workers_of(pid: int) -> set[int]:
    """The worker processes of server ``pid``: its children started by multiprocessing's spawn."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            command = (stat.parent / "cmdline").read_bytes()
        except (OSError, ValueError, IndexError):
            continue  # ended meanwhile
        if parent == pid and b"spawn_main" in command:
            found.add(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    """Still running (not a zombie left for init to reap)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def sockets(port: int, remote_ports: set[int] | None = None) -> set[str]:
    """The sockets on local port ``port`` (from /proc/net/tcp, as /proc/PID/fd names them): listening, or the
    server's side of connections from ``remote_ports``."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote, state, inode = fields[1], fields[2], fields[3], fields[9]
        if int(local.split(":")[1], 16) != port:
            continue
        if state == "0A" if remote_ports is None else int(remote.split(":")[1], 16) in remote_ports:
            found.add(f"socket:[{inode}]")
    return found


def held(pid: int, wanted: set[str]) -> set[str]:
    """Which of the sockets ``wanted`` process ``pid`` has among its descriptors (none once it has ended)."""
    try:
        return {os.readlink(fd) for fd in Path(f"/proc/{pid}/fd").iterdir()} & wanted
    except OSError:
        return set()


def listening(pid: int, port: int) -> int:
    """How many of server ``pid``'s workers hold a listening socket on ``port`` (a worker listens once started)."""
    return sum(bool(held(worker, sockets(port))) for worker in workers_of(pid))


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    port = free_port()
    command = [sys.executable, "-m", "outbound", "serve", "--port", str(port), "--workers", "2", "--throttle", "off"]
    command += ["--server", "uvicorn", "--db", f"sqlite:///{tmp_path / 'served.db'}"]
    env = {**CLEAN_ENV, "OUTBOUND_ENGINE": "off"}
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, env=env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        wait_for("the server answering", lambda: process.poll() is None and healthy(port))
        wait_for("two workers listening", lambda: listening(process.pid, port) == 2)
        yield process, port
    finally:
        with contextlib.suppress(ProcessLookupError):  # the server and its workers, whatever a test left
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def test_a_burst_of_connections_reaches_both_workers(server: tuple[subprocess.Popen[bytes], int]) -> None:
    process, port = server
    clients = [http.client.HTTPConnection("127.0.0.1", port, timeout=10) for _ in range(32)]
    for conn in clients:
        conn.connect()  # all 32 opened at once, as a client's pool or a load generator opens them
    try:
        for conn in clients:  # each answered, and still open (keep-alive)
            conn.request("GET", "/health")
            assert conn.getresponse().read() and conn.sock is not None
        workers = workers_of(process.pid)
        # a listening socket each (uvicorn's own mode shares one)
        listens = [held(pid, sockets(port)) for pid in workers]
        assert [len(found) for found in listens] == [1, 1] and listens[0] != listens[1]
        # each connection goes to either socket by its address hash: all 32 on one has odds of 2 in 2**32
        connections = sockets(port, {conn.sock.getsockname()[1] for conn in clients})
        counts = [len(held(pid, connections)) for pid in workers]
        assert min(counts) > 0 and sum(counts) == 32, counts
    finally:
        for conn in clients:
            conn.close()


def test_a_dead_worker_is_replaced_and_sigterm_stops_all(server: tuple[subprocess.Popen[bytes], int]) -> None:
    process, port = server
    first = workers_of(process.pid)
    dead = min(first)
    os.kill(dead, signal.SIGKILL)
    wait_for("a replacement worker", lambda: len(workers_of(process.pid) - first) == 1)
    assert dead not in workers_of(process.pid)
    wait_for("two workers listening again", lambda: listening(process.pid, port) == 2)
    assert healthy(port)
    workers = workers_of(process.pid)
    process.terminate()
    assert process.wait(timeout=30) == 0
    assert not [pid for pid in workers if alive(pid)]


def test_workers_stop_when_the_server_is_killed(server: tuple[subprocess.Popen[bytes], int]) -> None:
    process = server[0]
    workers = workers_of(process.pid)
    process.kill()  # SIGKILL: no chance to stop them itself
    process.wait()
    wait_for("the workers stopping", lambda: not [pid for pid in workers if alive(pid)])
