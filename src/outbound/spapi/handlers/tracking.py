"""getPackageTrackingDetails."""

from __future__ import annotations

import re

from outbound.service import tracking as service
from outbound.spapi import render
from outbound.spapi.call import SpCall
from outbound.spapi.errors import invalid, missing
from outbound.spapi.inputs import INT32_MAX

_NUMBER = re.compile(r"[0-9]{1,10}")


def package_number(call: SpCall) -> int:
    value = call.query.get("packageNumber", "").strip()
    if not value:
        raise missing("packageNumber")
    if not _NUMBER.fullmatch(value) or int(value) > INT32_MAX:
        raise invalid("packageNumber", "packageNumber must be a 32-bit integer.")
    return int(value)


def get_package_tracking_details(call: SpCall) -> render.Json:
    details = service.get_package_tracking_details(
        call.ctx.db, call.caller.seller_id, package_number(call), call.ctx.clock.now()
    )
    return render.tracking(details)
