"""What an SP-API operation handler receives: the parsed inputs, the authorized caller and the running context."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from outbound.context import Context
from outbound.service.accounts import Caller
from outbound.service.order_cache import Stamp


@dataclass(frozen=True, slots=True)
class SpCall:
    request_id: str
    operation: str
    path: dict[str, str]  # path parameters, percent-decoded
    query: dict[str, str]  # the operation's known query parameters
    body: Any  # the parsed JSON body, or None
    caller: Caller
    ctx: Context
    stamp: Stamp | None = None  # getFulfillmentOrder: the order's cache stamp, read with the access token
