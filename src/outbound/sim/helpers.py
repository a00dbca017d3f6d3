"""Helper processes: pure computing handed to other CPUs, results back in the order the tasks were sent.

The lifecycle engine uses them to take steps while it reads and writes the store (``Engine._catch_up``). A helper
is ``python -m outbound.sim.helpers``, started afresh: multiprocessing's ``spawn`` would import the caller's main
script again in each helper (running its top-level code), and ``fork`` would copy a server's threads and
connections. Tasks and results cross the helper's standard input and output as pickles, each after its length; a
task is a module-level function and its argument. A thread in the helper reads tasks as they come (bytes only: it
releases the GIL while it waits), so the sender never waits on a helper busy with its previous task.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import queue
import struct
import subprocess
import sys
import threading
import traceback
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import outbound


class HelperLost(OSError):
    """A helper process ended or could not start: the caller does the work itself."""


class HelperFailed(RuntimeError):
    """A task raised in a helper (the helper's traceback is in the message)."""


class Helpers:
    """``count`` helper processes, each set up once with ``setup(argument)``; tasks go to them in turn."""

    def __init__(self, count: int, setup: Callable[[Any], None], argument: Any) -> None:
        package_root = str(Path(outbound.__file__).resolve().parent.parent)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))}
        self._processes: list[subprocess.Popen[bytes]] = []
        self._pending: deque[int] = deque()  # the helper of each task sent and not yet answered, oldest first
        self._sent = 0
        try:
            for _ in range(count):
                process = subprocess.Popen(
                    [sys.executable, "-m", "outbound.sim.helpers"],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    env=env,
                )
                self._processes.append(process)
                _widen(process.stdin, process.stdout)
                self._send(process, (setup, argument))
        except OSError as error:
            self.close()
            raise HelperLost(f"engine helper could not start: {error}") from error

    def submit(self, task: Callable[[Any], Any], argument: Any) -> None:
        """Send ``task(argument)`` to the next helper; :meth:`result` answers the tasks in the order sent."""
        index = self._sent % len(self._processes)
        self._sent += 1
        self._send(self._processes[index], (task, argument))
        self._pending.append(index)

    def result(self) -> Any:
        """The oldest task's result (waiting for it); :class:`HelperFailed` if it raised."""
        process = self._processes[self._pending.popleft()]
        assert process.stdout is not None
        try:
            ok, value = pickle.loads(_receive(process.stdout))
        except (EOFError, OSError, pickle.UnpicklingError) as error:
            raise HelperLost(f"engine helper ended (exit code {process.poll()})") from error
        if not ok:
            raise HelperFailed(value)
        return value

    def close(self) -> None:
        """End the helpers: at the end of their input, or at once if results are left unread (an error
        interrupted the caller): a helper writing one finds its pipe closed and stops."""
        for process in self._processes:
            for pipe in (process.stdin, process.stdout):
                if pipe is not None:
                    with contextlib.suppress(OSError):
                        pipe.close()
        for process in self._processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._processes.clear()

    def __enter__(self) -> Helpers:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @staticmethod
    def _send(process: subprocess.Popen[bytes], message: Any) -> None:
        assert process.stdin is not None
        try:
            _write(process.stdin, message)
        except OSError as error:
            raise HelperLost(f"engine helper ended (exit code {process.poll()})") from error


_LENGTH = struct.Struct("<Q")
_PIPE_SIZE = 1 << 20  # Linux's default limit for a pipe's buffer (64 KiB unless asked)


def _widen(*pipes: IO[bytes] | None) -> None:
    """Make each pipe hold a whole task or result: the writer goes on while the reader is busy, and a helper's
    reader thread, which needs the GIL between reads, is not woken once per 64 KiB."""
    for pipe in pipes:
        if pipe is not None and sys.platform == "linux":
            import fcntl  # not on Windows

            with contextlib.suppress(OSError):  # a lower limit set by the system: smaller buffers work, slower
                fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, _PIPE_SIZE)


def _write(stream: IO[bytes], message: Any) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_LENGTH.pack(len(data)))
    stream.write(data)
    stream.flush()


def _receive(stream: IO[bytes]) -> bytes:
    """One message's bytes; EOFError at the end of the stream."""
    header = stream.read(_LENGTH.size)
    if len(header) < _LENGTH.size:
        raise EOFError
    (size,) = _LENGTH.unpack(header)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    return data


def _serve(tasks_in: IO[bytes], results_out: IO[bytes]) -> None:
    """A helper's life: set up, then answer each task in order until the input ends."""
    setup, argument = pickle.loads(_receive(tasks_in))
    setup(argument)
    tasks: queue.Queue[bytes | None] = queue.Queue()

    def read() -> None:
        try:
            while True:
                tasks.put(_receive(tasks_in))
        except EOFError:
            tasks.put(None)

    threading.Thread(target=read, name="tasks", daemon=True).start()
    while (task := tasks.get()) is not None:
        function, value = pickle.loads(task)
        try:
            answer: tuple[bool, Any] = (True, function(value))
        except Exception:  # the engine raises it (and rolls back); the helper stays for the next task
            answer = (False, traceback.format_exc())
        try:
            _write(results_out, answer)
        except BrokenPipeError:
            return  # the engine stopped listening (it closed us): nothing more to do


if __name__ == "__main__":
    results = os.fdopen(os.dup(1), "wb")  # the results' own channel: a stray print goes to standard error
    os.dup2(2, 1)
    _serve(sys.stdin.buffer, results)
    # every answer is flushed when written; leave without the interpreter's shutdown, which would wait on standard
    # input still held by the reader thread (a fatal error if the engine stopped listening mid-read)
    os._exit(0)
