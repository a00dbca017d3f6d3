"""This process's id, kept current across forks. A connection belongs to the process that opened it (a forked
worker opens its own), and the request path asks which process it is in on every read: a variable, not a system
call."""

from __future__ import annotations

import os

_pid = os.getpid()


def pid() -> int:
    return _pid


def _forked() -> None:
    global _pid
    _pid = os.getpid()


os.register_at_fork(after_in_child=_forked)
