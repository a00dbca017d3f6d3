"""The RMA label page, ``GET /mcf/returns/label?rmaId=…``: where SP-API's ``rmaPageURL`` points when the service
runs with a public URL (``spapi/render.py``), so a client that follows the link gets a page to print, not a 404.

Who may see it. Amazon's page sits behind the seller's Seller Central login. The dashboard's gate (the admin token,
or the loopback while none is set) is for operators, and neither the sellers' integrations that receive the link
nor the customers they hand it to hold the token; behind that gate every followed link would be refused, and the
public URL would point at nothing. So the page is open, and it is built to disclose little instead:

- one RMA, found by its exact id; nothing lists, searches or pages through RMAs, and an unknown or malformed id
  answers the same 404;
- only what the parcel's label and packing note carry anyway: the returns center's address (a public address),
  the RMA and authorization ids, the order's displayable id and date, and the returned SKUs with their reasons.
  Never the customer's name or address, the seller's id or the seller's own order id. RMA ids are not secrets
  (they derive from row ids, ``domain/returns.py``), which is why the page shows no more than a label would;
- the data is a simulator's, and the answer is neither cached nor indexed nor sent on as a referrer.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from outbound.context import Context
from outbound.domain.returns import RMA_PAGE_PATH, is_rma_id
from outbound.service import returns
from outbound.web.render import page

ADDRESS_LINES = ("Name", "Line1", "Line2", "Line3", "DistrictOrCounty")


def _private(response: Response) -> Response:
    response.headers["x-robots-tag"] = "noindex, nofollow"
    response.headers["referrer-policy"] = "no-referrer"
    return response


def routes(ctx: Context) -> list[BaseRoute]:
    async def label(request: Request) -> Response:
        wanted = request.query_params.getlist("rmaId")
        rma_id = wanted[0] if len(wanted) == 1 else ""
        found = await run_in_threadpool(returns.rma_label, ctx.db, rma_id) if rma_id else None
        if found is None:
            shown = rma_id if is_rma_id(rma_id) else None  # echo only an id-shaped value
            return _private(page("rma_missing.html", {"rma_id": shown}, 404))
        return _private(page("rma.html", {"label": found, "address_lines": ADDRESS_LINES}))

    return [Route(RMA_PAGE_PATH, label, methods=["GET"])]
