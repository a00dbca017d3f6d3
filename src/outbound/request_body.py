"""Reading an ASGI request body under a size limit, for the protocol endpoints that skip Starlette's request
object (it costs more than their cheapest operations). Each protocol says what a refusal is in its own form."""

from __future__ import annotations

from collections.abc import Callable

from starlette.types import Receive


async def read_body(
    receive: Receive, limit: int, too_large: Callable[[], Exception], disconnected: Callable[[], Exception]
) -> bytes:
    """The body, refused once it passes ``limit`` bytes (the rest is not read)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise disconnected()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise too_large()
        chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)
