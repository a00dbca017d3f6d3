"""The SDK's requests, seen by a mock transport: what it signs is what the server will verify."""

from __future__ import annotations

from urllib.parse import parse_qsl

import httpx
import pytest

from outbound.client import MwsClientError, OutboundClient
from outbound.mws import signing
from tests.helpers import ACCESS_KEY, SECRET_KEY, SELLER

STATUS = (
    b'<?xml version="1.0"?>\n<GetServiceStatusResponse xmlns="http://mws.amazonaws.com/FulfillmentOutboundShipment/'
    b'2010-10-01/"><GetServiceStatusResult><Status>GREEN</Status><Timestamp>2026-11-23T16:00:00.412Z</Timestamp>'
    b"</GetServiceStatusResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>"
    b"</GetServiceStatusResponse>"
)


def capture(endpoint: str, **options: str) -> httpx.Request:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=STATUS, headers={"content-type": "text/xml"})

    http = httpx.Client(transport=httpx.MockTransport(handler))
    with OutboundClient(endpoint, ACCESS_KEY, SECRET_KEY, SELLER, http=http, **options) as client:
        assert client.get_service_status().status == "GREEN"
    return seen[0]


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://127.0.0.1:8000",
        "http://127.0.0.1:8000/",
        "http://127.0.0.1:80",  # httpx sends the Host header without a default port
        "https://mws.amazonservices.com:443",
        "https://mws.amazonservices.com",
        "http://[::1]:8000",
    ],
)
def test_signature_verifies_with_the_host_header_sent(endpoint: str) -> None:
    request = capture(endpoint)
    assert request.method == "POST"
    assert request.url.path == "/FulfillmentOutboundShipment/2010-10-01"
    assert request.headers["content-type"].startswith("application/x-www-form-urlencoded")
    pairs = parse_qsl(request.content.decode("ascii"), keep_blank_values=True)
    params = dict(pairs)
    assert params["Action"] == "GetServiceStatus"
    assert params["SellerId"] == SELLER
    assert signing.verify(
        SECRET_KEY, params["Signature"], "POST", request.headers["host"], request.url.path, pairs, "HmacSHA256"
    )
    # and with the documented host line alone, as Amazon checks it
    sts = signing.string_to_sign("POST", request.headers["host"], request.url.path, pairs)
    assert signing.sign(SECRET_KEY, sts) == params["Signature"]


def test_auth_token_and_sha1() -> None:
    request = capture("http://127.0.0.1:8000", auth_token="amzn.mws.x", signature_method="HmacSHA1")
    pairs = parse_qsl(request.content.decode("ascii"), keep_blank_values=True)
    params = dict(pairs)
    assert params["MWSAuthToken"] == "amzn.mws.x"
    assert params["SignatureMethod"] == "HmacSHA1"
    assert signing.verify(
        SECRET_KEY, params["Signature"], "POST", "127.0.0.1:8000", request.url.path, pairs, "HmacSHA1"
    )


def test_error_response_becomes_mws_client_error() -> None:
    body = (
        b'<?xml version="1.0"?>\n<ErrorResponse xmlns="http://mws.amazonaws.com/FulfillmentOutboundShipment/2010-10-01/">'
        b"<Error><Type>Sender</Type><Code>RequestThrottled</Code><Message>Request is throttled</Message></Error>"
        b"<RequestID>abc</RequestID></ErrorResponse>"
    )
    http = httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(503, content=body)))
    with (
        OutboundClient("http://h", ACCESS_KEY, SECRET_KEY, SELLER, http=http) as client,
        pytest.raises(MwsClientError) as err,
    ):
        client.get_service_status()
    assert (err.value.status, err.value.code, err.value.type, err.value.request_id) == (
        503,
        "RequestThrottled",
        "Sender",
        "abc",
    )


def test_non_xml_answer_becomes_mws_client_error() -> None:
    http = httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(502, content=b"Bad Gateway")))
    with (
        OutboundClient("http://h", ACCESS_KEY, SECRET_KEY, SELLER, http=http) as client,
        pytest.raises(MwsClientError) as err,
    ):
        client.get_service_status()
    assert (err.value.status, err.value.code) == (502, "MalformedResponse")
