"""``/admin/service-status``: what GetServiceStatus reports."""

from __future__ import annotations

from typing import Any

from outbound.admin.base import Call, Op
from outbound.admin.schemas import ref
from outbound.context import Context
from outbound.service import status


def operations(ctx: Context) -> list[Op]:
    def shown(found: status.ServiceStatus) -> dict[str, Any]:
        return {"status": found.status, "message": found.message}

    def get(call: Call) -> tuple[int, Any]:
        return 200, shown(status.get_service_status(ctx.db))

    def set_status(call: Call) -> tuple[int, Any]:
        return 200, shown(status.set_service_status(ctx.db, call.body["status"], call.body.get("message")))

    tag = "service status"
    return [
        Op(
            "GET",
            "/admin/service-status",
            get,
            "getServiceStatus",
            "What GetServiceStatus reports",
            tag,
            {200: ref("ServiceStatus")},
            errors=(),
        ),
        Op(
            "POST",
            "/admin/service-status",
            set_status,
            "setServiceStatus",
            "Set the status (a message goes out only with a non-GREEN status)",
            tag,
            {200: ref("ServiceStatus")},
            body=ref("SetServiceStatus"),
        ),
    ]
