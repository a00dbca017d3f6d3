"""GetServiceStatus (docs/mws-protocol.md "Operations")."""

from __future__ import annotations

from outbound.mws import xml
from outbound.mws.call import Call
from outbound.service.status import get_service_status


def get_service_status_action(call: Call) -> xml.Element:
    status = get_service_status(call.ctx.db)
    result = xml.result(call.action)
    xml.add(result, "Status", status.status)
    xml.add(result, "Timestamp", xml.iso_millis(status.timestamp))
    if status.has_message:
        xml.add_opt(result, "MessageId", status.message_id)
        message = xml.add(xml.add(result, "Messages"), "Message")
        xml.add(message, "Locale", "en_US")
        xml.add(message, "Text", status.message)
    return result
