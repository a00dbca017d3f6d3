"""Building MWS response documents: the namespace, the indented layout, and the element helpers.

Real clients constrain the bytes (``docs/mws-protocol.md`` "Answers", "Real clients"): a declaration without
``encoding``, one element per line, values as single text nodes, no empty element where an enumeration value is
expected.

Responses are built as a small tree of :class:`Element` and written out directly: every element holds either text
or children, never both, so the indented layout is simple to produce, and doing it here costs a fifth of what lxml's
element objects and serializer did (``bench/README.md``). The bytes are those lxml's ``pretty_print`` gives for the
same tree; ``tests/unit/test_xml.py`` compares the two.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

NS = "http://mws.amazonaws.com/FulfillmentOutboundShipment/2010-10-01/"
DECLARATION = b'<?xml version="1.0"?>\n'
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_SPECIAL = re.compile("[&<>\r]")


class Element:
    """One element of a response: a tag (in the MWS namespace) with either text or child elements."""

    __slots__ = ("children", "tag", "text")

    def __init__(self, tag: str, text: str | None = None) -> None:
        self.tag = tag
        self.text = text
        self.children: list[Element] = []

    def append(self, child: Element) -> None:
        self.children.append(child)


def clean(text: str) -> str:
    """Characters XML 1.0 cannot carry become U+FFFD (``DG_ResponseFormat``)."""
    return _NOT_XML.sub("\ufffd", text)


def escape(text: str) -> str:
    """Text-node escaping, as libxml2 writes it (``&``, ``<``, ``>`` and carriage returns)."""
    return text.translate(_ESCAPES) if _SPECIAL.search(text) else text


def root(tag: str) -> Element:
    return Element(tag)


def add(parent: Element, tag: str, text: str | None = None) -> Element:
    """Append ``<tag>text</tag>``; ``text=None`` makes a container (or an empty element)."""
    child = Element(tag, None if text is None else clean(text))
    parent.children.append(child)
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
    utc = moment if moment.tzinfo is UTC else moment.astimezone(UTC)
    return f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}T{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d}Z"


def iso_millis(moment: datetime) -> str:
    utc = moment if moment.tzinfo is UTC else moment.astimezone(UTC)
    return iso_seconds(utc)[:-1] + f".{utc.microsecond // 1000:03d}Z"


def _write(node: Element, indent: str, out: list[str], opening: str | None = None) -> None:
    head = opening or node.tag
    if node.children:
        out.append(f"{indent}<{head}>\n")
        inner = indent + "  "
        for child in node.children:
            _write(child, inner, out)
        out.append(f"{indent}</{node.tag}>\n")
    elif node.text is None:
        out.append(f"{indent}<{head}/>\n")
    else:
        out.append(f"{indent}<{head}>{escape(node.text)}</{node.tag}>\n")


def serialize(document: Element) -> bytes:
    """The declaration, then the document indented two spaces a level, the namespace declared on the root."""
    out: list[str] = []
    _write(document, "", out, f'{document.tag} xmlns="{NS}"')
    return DECLARATION + "".join(out).encode()


class Fragment(Element):
    """A ``<{Action}Result>`` already written out (see :func:`written`): a kept answer spliced into a response."""

    __slots__ = ("written",)

    def __init__(self, tag: str, written: bytes) -> None:
        super().__init__(tag)
        self.written = written


def written(result: Element) -> bytes:
    """A result element as :func:`response` writes it inside the document (one level in), for a :class:`Fragment`."""
    out: list[str] = []
    _write(result, "  ", out)
    return "".join(out).encode()


def response(action: str, request_id: str, result: Element | None = None) -> bytes:
    """``<{Action}Response>`` with the optional ``<{Action}Result>`` and ``ResponseMetadata/RequestId``."""
    if result is None or isinstance(result, Fragment):  # the bytes ``serialize`` would give, spliced
        return b"".join(
            (
                DECLARATION,
                f'<{action}Response xmlns="{NS}">\n'.encode(),
                b"" if result is None else result.written,
                f"  <ResponseMetadata>\n    <RequestId>{escape(clean(request_id))}</RequestId>\n"
                f"  </ResponseMetadata>\n</{action}Response>\n".encode(),
            )
        )
    document = root(f"{action}Response")
    document.append(result)
    add(add(document, "ResponseMetadata"), "RequestId", request_id)
    return serialize(document)


def result(action: str) -> Element:
    """A detached ``<{Action}Result>`` for a handler to fill."""
    return Element(f"{action}Result")


def error(code: str, message: str, error_type: str, request_id: str) -> bytes:
    """An ``ErrorResponse``; real MWS error bodies spell ``RequestID`` with a capital D (docs/mws-protocol.md)."""
    document = root("ErrorResponse")
    body = add(document, "Error")
    add(body, "Type", error_type)
    add(body, "Code", code)
    add(body, "Message", message)
    add(document, "RequestID", request_id)
    return serialize(document)
