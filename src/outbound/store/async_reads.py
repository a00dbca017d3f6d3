"""PostgreSQL reads awaited on the event loop, for the request path's one round trip (a kept GetFulfillmentOrder).

Run synchronously on the event loop, a read leaves the loop idle for its round trip, and a thread per read costs
more than the wait (``bench/README.md``). Awaited on psycopg's asynchronous connection, the loop serves other
requests meanwhile, so their round trips overlap.

An asynchronous connection belongs to the event loop it waits on, so connections are kept per loop: at most
:data:`SIZE` at once (a request finding them all busy waits for one), each reused while its reads succeed and closed
after a failure, with the idle ones beside it (a lost connection usually means the server went away for all). A
connection that cannot be opened raises at once, as the synchronous pool does, so a request during an outage is
answered as before (``service/health.py``). psycopg_pool's pool would queue it for the pool's timeout (30 s unless
set) while its own tasks on the loop retry connecting; a few connections opened on demand need none of that.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from psycopg import AsyncConnection
from sqlalchemy import Engine

from outbound.store.outage import is_disconnect
from outbound.store.prepared import PreparedQuery

# connections per event loop: enough for the loop to work on other requests through one's round trip (a kept answer
# costs about as much CPU as its round trip waits); more only add PostgreSQL backends taking turns on the same CPUs,
# which cost it more per query: with 10, ~50 % more CPU per request and fewer requests served (bench/README.md)
SIZE = 3


class _Connections:
    """One event loop's connections: the idle ones, and the permits to hold one."""

    __slots__ = ("idle", "permits")

    def __init__(self) -> None:
        self.idle: list[AsyncConnection[Any]] = []
        self.permits = asyncio.Semaphore(SIZE)


class AsyncReads:
    """Prepared queries (``store/prepared.py``) run on asynchronous connections to the engine's database, each
    statement on its own (autocommit: no transaction around it)."""

    def __init__(self, engine: Engine) -> None:
        self._dialect = engine.dialect
        # what the engine's own connections are opened with (host, port, database, user, password, type adapters)
        self._connect_args: dict[str, Any] = dict(engine.dialect.create_connect_args(engine.url)[1])
        self._loops: dict[asyncio.AbstractEventLoop, _Connections] = {}

    async def first(self, query: PreparedQuery, params: Mapping[str, Any]) -> Any | None:
        """The query's first row, as :meth:`PreparedQuery.first` gives it; ``None`` when there is none."""
        mine = await self._connections()
        async with mine.permits:
            conn = mine.idle.pop() if mine.idle else await self._connect()
            try:
                async with conn.cursor() as cursor:
                    await cursor.execute(*query.statement(self._dialect, params))
                    rows = await cursor.fetchall()
            except BaseException as exc:
                await conn.close()
                if is_disconnect(exc):
                    await _close_all(mine.idle)
                raise
            mine.idle.append(conn)
        found = query.rows(self._dialect, rows)
        return found[0] if found else None

    async def close(self) -> None:
        """Close the running loop's connections, and those of loops that have ended (a server calls it as it
        stops)."""
        loop = asyncio.get_running_loop()
        for owner in [o for o in self._loops if o is loop or o.is_closed()]:
            await _close_all(self._loops.pop(owner).idle)

    async def _connections(self) -> _Connections:
        loop = asyncio.get_running_loop()
        found = self._loops.get(loop)
        if found is None:
            for ended in [o for o in self._loops if o.is_closed()]:  # a server that stopped without closing them
                await _close_all(self._loops.pop(ended).idle)
            found = self._loops[loop] = _Connections()
        return found

    async def _connect(self) -> AsyncConnection[Any]:
        conn = await AsyncConnection.connect(autocommit=True, **self._connect_args)
        try:
            await conn.execute("SET TIME ZONE 'UTC'")  # as the engine's connections: datetimes need no conversion
        except BaseException:
            await conn.close()
            raise
        return conn


async def _close_all(connections: list[AsyncConnection[Any]]) -> None:
    while connections:
        await connections.pop().close()
