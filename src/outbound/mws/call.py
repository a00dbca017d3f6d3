"""What an operation handler receives: the decoded parameters, the authorized caller and the running context."""

from __future__ import annotations

from dataclasses import dataclass

from outbound.context import Context
from outbound.mws.params import Params
from outbound.service.accounts import Caller
from outbound.service.order_cache import Stamp


@dataclass(frozen=True, slots=True)
class Call:
    request_id: str
    action: str
    params: Params
    caller: Caller
    ctx: Context
    has_faults: bool = False  # the seller has fault scenarios: the endpoint checks whether one applies
    stamp: Stamp | None = None  # GetFulfillmentOrder: the order's cache stamp, read with the credentials
