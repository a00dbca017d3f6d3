"""Admin API for fulfillment features: a seller's enrolment per marketplace and a SKU's eligibility.

- ``PUT /admin/sellers/{sellerId}/features/{marketplaceId}`` with ``{"features": {"BLOCK_AMZL": false, ...}}``
  (true enrols, false withdraws) answers the marketplace's features with the seller's enrolment;
- ``PUT /admin/sellers/{sellerId}/skus/{sku}/features/{name}`` with ``{"eligible": false}``.

Mounted by ``admin.py`` behind its token check (``guarded``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from outbound.context import Context
from outbound.domain.errors import InvalidValue
from outbound.service import features as feature_service


async def _object(request: Request) -> dict[str, Any]:
    try:
        data = await request.json()
    except ValueError:
        raise ValueError("the body must be a JSON object") from None
    if not isinstance(data, dict):
        raise ValueError("the body must be a JSON object")
    return data


def _refused(exc: InvalidValue) -> JSONResponse:
    reason = f": {exc.reason}" if exc.reason else ""
    return JSONResponse({"error": f"invalid {exc.field} {exc.value!r}{reason}", "field": exc.field}, status_code=400)


def routes(ctx: Context, guarded: Callable[[Any], Any]) -> list[Route]:
    async def enrolment(request: Request) -> Response:
        seller_id = request.path_params["seller_id"]
        marketplace_id = request.path_params["marketplace_id"]
        switches = (await _object(request)).get("features")
        if not isinstance(switches, dict) or not switches:
            raise ValueError('features must be an object of feature names and true/false, e.g. {"BLOCK_AMZL": false}')
        if not all(isinstance(value, bool) for value in switches.values()):
            raise ValueError("each feature takes true (enrol) or false (withdraw)")
        now = await run_in_threadpool(ctx.clock.now)
        try:
            for enrolled in (True, False):
                names = [name for name, value in switches.items() if value is enrolled]
                if names:
                    found = await run_in_threadpool(
                        feature_service.set_enrolment, ctx.db, seller_id, marketplace_id, names, enrolled, now
                    )
        except InvalidValue as exc:
            return _refused(exc)
        return JSONResponse(
            {
                "sellerId": seller_id,
                "marketplaceId": marketplace_id,
                "features": [{"featureName": f.name, "sellerEligible": f.seller_eligible} for f in found],
            }
        )

    async def eligibility(request: Request) -> Response:
        seller_id, sku, name = (request.path_params[k] for k in ("seller_id", "sku", "name"))
        eligible = (await _object(request)).get("eligible")
        if not isinstance(eligible, bool):
            raise ValueError("eligible must be true or false")
        now = await run_in_threadpool(ctx.clock.now)
        try:
            await run_in_threadpool(feature_service.set_sku_eligibility, ctx.db, seller_id, sku, name, eligible, now)
        except InvalidValue as exc:
            return _refused(exc)
        return JSONResponse({"sellerId": seller_id, "sellerSku": sku, "featureName": name, "eligible": eligible})

    return [
        Route("/admin/sellers/{seller_id}/features/{marketplace_id}", guarded(enrolment), methods=["PUT"]),
        Route("/admin/sellers/{seller_id}/skus/{sku}/features/{name}", guarded(eligibility), methods=["PUT"]),
    ]
