"""Every mistake on the command line is one line naming what is wrong and how to fix it, and a non-zero exit; never a
traceback (``outbound --debug COMMAND`` shows it).

:class:`OutboundGroup` maps the exceptions commands let through to that line, in one place; the checks below run
before a command touches anything, where a message can name the fix better than the driver's error would.
"""

from __future__ import annotations

import errno
import os
import socket
import sys
from typing import Any

import click
import sqlalchemy.exc

from outbound.store.db import describe_url, url_problem

DEBUG_ENV = "OUTBOUND_DEBUG"
_opened: list[str] = []  # the store the command is opening, for a message about it


def check_database(url: str) -> None:
    """Refuse a URL Outbound cannot use, and a SQLite file whose directory is missing, before connecting."""
    problem = url_problem(url)
    if problem is not None:
        raise click.ClickException(problem)
    _opened[:] = [describe_url(url)]


def check_port(host: str, port: int) -> None:
    """The port must be free before the server starts (the demo would otherwise load first, then fail)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise click.ClickException(
            f"can't listen on {host}: {exc.strerror}; give --host an address of this machine"
        ) from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers do: TIME_WAIT is no obstacle
        try:
            sock.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise click.ClickException(
                    f"port {port} on {host} is in use (another server?); stop it or choose another with --port"
                ) from None
            raise click.ClickException(f"can't listen on {host}:{port}: {exc.strerror}") from None


def check_redis(url: str | None) -> None:
    if not url:
        return
    import redis

    try:
        redis.connection.parse_url(url)  # type: ignore[no-untyped-call]
    except ValueError as exc:
        raise click.ClickException(
            f"bad Redis URL {url!r}: {exc}; use e.g. redis://127.0.0.1:6379/0 (--redis or OUTBOUND_REDIS_URL)"
        ) from None


def explain(exc: BaseException) -> str | None:
    """One line for an exception a command let through; ``None`` for one there is nothing better to say about."""
    store = _opened[0] if _opened else "the store"
    if isinstance(exc, sqlalchemy.exc.ArgumentError):
        return f"not a database URL ({exc}); use sqlite:///path/file.db or postgresql://user@host:port/db"
    if isinstance(exc, sqlalchemy.exc.OperationalError | sqlalchemy.exc.InterfaceError):
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc).splitlines()[0]
        return (
            f"can't use the database {store}: {reason}; check that it runs and that --db (or OUTBOUND_DATABASE_URL) "
            "is right"
        )
    if isinstance(exc, sqlalchemy.exc.DBAPIError):
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else type(exc).__name__
        return f"the database {store} refused: {reason}"
    if isinstance(exc, PermissionError | FileNotFoundError | IsADirectoryError):
        return f"{exc.strerror}: {exc.filename}"
    if exc.__class__.__module__.startswith("redis"):
        return f"Redis: {exc}; check --redis (or OUTBOUND_REDIS_URL)"
    if isinstance(exc, ValueError):  # the service layer's refusals and bad settings say what is wrong themselves
        return str(exc)
    return None


class OutboundGroup(click.Group):
    """The ``outbound`` group: ``--debug`` lets tracebacks through; otherwise any error is one line."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except KeyboardInterrupt:
            raise click.Abort() from None
        except Exception as exc:
            if ctx.params.get("debug") or os.environ.get(DEBUG_ENV):
                raise
            line = explain(exc) or f"{type(exc).__name__}: {exc} (`outbound --debug ...` shows the traceback)"
            raise click.ClickException(line) from None


def read_secret(value: str | None, option: str, env: str) -> str | None:
    """``-`` reads the secret from standard input (its first line), so it stays out of the shell's history and
    the process list."""
    if value != "-":
        return value
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        raise click.ClickException(f"{option} - read nothing from standard input; pipe the secret in, or set {env}")
    return line
