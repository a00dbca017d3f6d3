"""Building MWS response documents: the namespace, the indented layout, and the element helpers.

Real clients constrain the bytes (``mws-protocol.md`` §4.1, §12): a declaration without ``encoding``, one element
per line, values as single text nodes, no empty element where an enumeration value is expected.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

from lxml import etree

NS = "http://mws.amazonaws.com/FulfillmentOutboundShipment/2010-10-01/"
DECLARATION = b'<?xml version="1.0"?>\n'
_NSMAP: dict[str | None, str] = {None: NS}
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

Element = etree._Element


def clean(text: str) -> str:
    """Characters XML 1.0 cannot carry become U+FFFD (``DG_ResponseFormat``)."""
    return _NOT_XML.sub("\ufffd", text)


def root(tag: str) -> Element:
    return etree.Element(f"{{{NS}}}{tag}", nsmap=_NSMAP)  # type: ignore[arg-type]


def add(parent: Element, tag: str, text: str | None = None) -> Element:
    """Append ``<tag>text</tag>``; ``text=None`` makes a container (or an empty element)."""
    child = etree.SubElement(parent, f"{{{NS}}}{tag}")
    if text is not None:
        child.text = clean(text)
    return child


def add_opt(parent: Element, tag: str, value: object) -> None:
    """Append the element only when there is a value: absent optional values are omitted, never empty."""
    if value is not None and value != "":
        add(parent, tag, format_value(value))


def format_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return iso_seconds(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def iso_seconds(moment: datetime) -> str:
    """UTC, second precision, truncated: an event at 16:40:27.930 is ``16:40:27Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_millis(moment: datetime) -> str:
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def serialize(document: Element) -> bytes:
    return DECLARATION + etree.tostring(document, pretty_print=True, encoding="UTF-8")


def response(action: str, request_id: str, result: Element | None = None) -> bytes:
    """``<{Action}Response>`` with the optional ``<{Action}Result>`` and ``ResponseMetadata/RequestId``."""
    document = root(f"{action}Response")
    if result is not None:
        document.append(result)
    add(add(document, "ResponseMetadata"), "RequestId", request_id)
    return serialize(document)


def result(action: str) -> Element:
    """A detached ``<{Action}Result>`` for a handler to fill."""
    return etree.Element(f"{{{NS}}}{action}Result", nsmap=_NSMAP)  # type: ignore[arg-type]


def error(code: str, message: str, error_type: str, request_id: str) -> bytes:
    """An ``ErrorResponse``; real MWS error bodies spell ``RequestID`` with a capital D (§5.1)."""
    document = root("ErrorResponse")
    body = add(document, "Error")
    add(body, "Type", error_type)
    add(body, "Code", code)
    add(body, "Message", message)
    add(document, "RequestID", request_id)
    return serialize(document)
