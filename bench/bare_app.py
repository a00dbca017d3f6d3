"""The floor for ``http_bench.py``: a bare ASGI app that answers every request like a GetServiceStatus call.

It reads the request body (as the real endpoint does) and sends a fixed, precomputed ``GetServiceStatusResponse``
with the headers the real endpoint sends (``content-type: text/xml``, ``x-mws-request-id``, ``x-mws-timestamp``,
``x-mws-response-context``, ``date``). No routing, no parsing, no signature, no database: whatever it costs is the
server software's own cost, so the real app's figure divided by this one is the share the server leaves to Outbound.

Run it with the same server software and options as ``outbound serve`` (see ``run_server`` in
``src/outbound/cli.py``; keep the two in step)::

    python bench/bare_app.py --server uvicorn --port 8001
"""

from __future__ import annotations

import argparse
import base64
import sys
from email.utils import formatdate
from pathlib import Path
from typing import Any

REQUEST_ID = "9a6a4c9e-7f4c-4bd5-8a0e-3f9e2b0c1d2e"
TIMESTAMP = "2013-09-12T17:13:24.345Z"
BODY = (
    '<?xml version="1.0"?>\n'
    '<GetServiceStatusResponse xmlns="http://mws.amazonaws.com/FulfillmentOutboundShipment/2010-10-01/">\n'
    "  <GetServiceStatusResult>\n"
    "    <Status>GREEN</Status>\n"
    f"    <Timestamp>{TIMESTAMP}</Timestamp>\n"
    "  </GetServiceStatusResult>\n"
    "  <ResponseMetadata>\n"
    f"    <RequestId>{REQUEST_ID}</RequestId>\n"
    "  </ResponseMetadata>\n"
    "</GetServiceStatusResponse>\n"
).encode()
HEADERS = [
    (b"content-type", b"text/xml"),
    (b"x-mws-request-id", REQUEST_ID.encode()),
    (b"x-mws-timestamp", TIMESTAMP.encode()),
    (b"x-mws-response-context", base64.b64encode(f"ctx:{REQUEST_ID}".encode())),
    (b"date", formatdate(usegmt=True).encode()),
    (b"content-length", str(len(BODY)).encode()),
]
START = {"type": "http.response.start", "status": 200, "headers": HEADERS}
FINISH = {"type": "http.response.body", "body": BODY, "more_body": False}

Scope = dict[str, Any]


async def app(scope: Scope, receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "http":
        return
    more = True
    while more:  # drain the body, as the real endpoint does before it answers
        message = await receive()
        if message["type"] == "http.disconnect":
            return
        more = message.get("more_body", False)
    await send(START)
    await send(FINISH)


def create_app() -> Any:
    """Factory, so the servers load it exactly as they load ``outbound.app:create_app``."""
    return app


def run_server(server: str, host: str, port: int, workers: int) -> None:
    """``outbound.cli.run_server`` with this module as the target: same servers, same options."""
    target = "bare_app:create_app"
    if server == "granian":
        from granian import Granian
        from granian.constants import Interfaces

        Granian(target, address=host, port=port, interface=Interfaces.ASGI, workers=workers, factory=True).serve()
        return
    import uvicorn

    options: dict[str, Any] = {"date_header": False, "server_header": False, "log_level": "warning"}
    uvicorn.run(target, host=host, port=port, workers=workers, factory=True, **options)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", choices=("granian", "uvicorn"), default="granian")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent))  # the servers import "bare_app" by name
    run_server(args.server, args.host, args.port, args.workers)


if __name__ == "__main__":
    main()
