"""The response writer gives the bytes lxml's pretty printer gives for the same tree (what real clients were tested
against), for every shape a response takes: containers, empty elements, text needing escapes, non-ASCII text."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone

import pytest
from lxml import etree

from outbound.mws import xml

TEXTS = [
    "",
    " ",
    "plain",
    "a&b",
    "<tag>",
    "x > y",
    "quote \" and '",
    "line\nbreak",
    "cr\r\nlf",
    "tab\there",
    "Müller straße",
    "東京都",
    "emoji 😀",
    "bad \x00 char",
    "\x0b\x1f",
    "  padded  ",
    "&amp; already",
]


def _lxml_bytes(tree: xml.Element) -> bytes:
    def build(node: xml.Element, parent: etree._Element | None) -> etree._Element:
        tag = f"{{{xml.NS}}}{node.tag}"
        element = (
            etree.Element(tag, nsmap={None: xml.NS})  # type: ignore[dict-item]
            if parent is None
            else etree.SubElement(parent, tag)
        )
        if node.text is not None:
            element.text = node.text
        for child in node.children:
            build(child, element)
        return element

    return xml.DECLARATION + etree.tostring(build(tree, None), pretty_print=True, encoding="UTF-8")


def _random_tree(rng: random.Random, depth: int = 0) -> xml.Element:
    node = xml.root(f"Tag{rng.randrange(50)}")
    for _ in range(rng.randrange(6) if depth < 4 else 0):
        kind = rng.random()
        if kind < 0.4:
            node.append(_random_tree(rng, depth + 1))
        elif kind < 0.5:
            xml.add(node, "Empty")
        else:
            xml.add(node, f"Leaf{rng.randrange(9)}", rng.choice(TEXTS) + rng.choice(TEXTS))
    return node


@pytest.mark.parametrize("seed", range(200))
def test_random_documents_match_lxml(seed: int) -> None:
    tree = _random_tree(random.Random(seed))
    assert xml.serialize(tree) == _lxml_bytes(tree)


def test_response_layout() -> None:
    result = xml.result("GetServiceStatus")
    xml.add(result, "Status", "GREEN")
    xml.add_opt(result, "MessageId", None)
    xml.add_opt(result, "Empty", "")
    body = xml.response("GetServiceStatus", "req-1", result)
    assert body == (
        b'<?xml version="1.0"?>\n'
        b'<GetServiceStatusResponse xmlns="http://mws.amazonaws.com/FulfillmentOutboundShipment/2010-10-01/">\n'
        b"  <GetServiceStatusResult>\n"
        b"    <Status>GREEN</Status>\n"
        b"  </GetServiceStatusResult>\n"
        b"  <ResponseMetadata>\n"
        b"    <RequestId>req-1</RequestId>\n"
        b"  </ResponseMetadata>\n"
        b"</GetServiceStatusResponse>\n"
    )
    assert body == _lxml_bytes(etree_free_copy(body))


@pytest.mark.parametrize("request_id", ["req-1", "a&b<c>", "bad \x00 id"])
def test_response_without_result_is_the_tree_written_out(request_id: str) -> None:
    """An answer with no result (CreateFulfillmentOrder's) is written straight out: the bytes of its tree."""
    document = xml.root("CreateFulfillmentOrderResponse")
    xml.add(xml.add(document, "ResponseMetadata"), "RequestId", request_id)
    assert xml.response("CreateFulfillmentOrder", request_id) == xml.serialize(document) == _lxml_bytes(document)


def etree_free_copy(body: bytes) -> xml.Element:
    """Our tree again, from the bytes (to run the same document through lxml's writer)."""

    def convert(element: etree._Element) -> xml.Element:
        node = xml.Element(etree.QName(element).localname, element.text if len(element) == 0 else None)
        node.children = [convert(child) for child in element]
        return node

    return convert(etree.fromstring(body))


def test_characters_xml_cannot_carry_are_replaced() -> None:
    node = xml.root("R")
    xml.add(node, "V", "a\x00b\x1bc")
    assert b"<V>a\xef\xbf\xbdb\xef\xbf\xbdc</V>" in xml.serialize(node)


def test_instants_are_utc_truncated() -> None:
    moment = datetime(2026, 1, 2, 3, 4, 5, 999_999, tzinfo=timezone(timedelta(hours=-8)))
    assert xml.iso_seconds(moment) == "2026-01-02T11:04:05Z"
    assert xml.iso_millis(moment) == "2026-01-02T11:04:05.999Z"
    assert xml.iso_seconds(datetime(2026, 1, 2, tzinfo=UTC)) == "2026-01-02T00:00:00Z"
