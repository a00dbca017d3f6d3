"""Building signed MWS requests by hand and reading MWS answers, for the end-to-end tests.

Unlike the SDK, these helpers let a test choose every detail a real client may vary: the method, where the
parameters go (query string or form body), the path, the Timestamp, and which parameters are left out or tampered
with after signing.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path

import httpx
from lxml import etree

from outbound.mws import signing
from tests.conftest import ACCESS_KEY, SECRET_KEY, SELLER

PATH = "/FulfillmentOutboundShipment/2010-10-01"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# Requests signed by real MWS clients (see fixtures/client-requests/README.md)
VECTOR_DIR = FIXTURES / "client-requests"
NS = "http://mws.amazonaws.com/FulfillmentOutboundShipment/2010-10-01/"
N = {"m": NS}
FORM = "application/x-www-form-urlencoded; charset=utf-8"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
MILLIS = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def now_iso(offset: timedelta = timedelta(0)) -> str:
    return iso(datetime.now(UTC) + offset)


def form(pairs: Iterable[tuple[str, str]]) -> str:
    """``name=value&...`` RFC 3986-encoded, as the documented clients send it."""
    return "&".join(f"{signing.encode(k)}={signing.encode(v)}" for k, v in pairs)


def signed_pairs(
    host: str,
    action: str = "GetServiceStatus",
    params: Mapping[str, str | None] | None = None,
    *,
    method: str = "POST",
    path: str = PATH,
    secret: str = SECRET_KEY,
    sign_host: str | None = None,
    sign_path: str | None = None,
    sign_method: str | None = None,
) -> list[tuple[str, str]]:
    """The common parameters plus ``params`` (a ``None`` value removes a parameter), signed last.

    ``sign_*`` sign for another host line, path or method than the one the request will use.
    """
    full: dict[str, str | None] = {
        "AWSAccessKeyId": ACCESS_KEY,
        "Action": action,
        "SellerId": SELLER,
        "SignatureMethod": "HmacSHA256",
        "SignatureVersion": "2",
        "Timestamp": now_iso(),
        "Version": "2010-10-01",
    }
    full.update(params or {})
    pairs = [(k, v) for k, v in full.items() if v is not None]
    algorithm = dict(pairs).get("SignatureMethod", "HmacSHA256")
    message = signing.string_to_sign(sign_method or method, sign_host or host, sign_path or path, pairs)
    signature = signing.sign(secret, message, algorithm if algorithm in signing.SIGNATURE_METHODS else "HmacSHA256")
    return [*pairs, ("Signature", signature)]


def send(
    http: httpx.Client,
    pairs: Iterable[tuple[str, str]],
    *,
    method: str = "POST",
    path: str = PATH,
    where: str = "body",
    headers: Mapping[str, str] | None = None,
) -> httpx.Response:
    """Send ``pairs`` in the form body (``where="body"``) or the query string (``where="query"``)."""
    encoded = form(pairs)
    if where == "query":
        return http.request(method, f"{path}?{encoded}", content=b"", headers=dict(headers or {}))
    return http.request(
        method, path, content=encoded.encode("ascii"), headers={"Content-Type": FORM, **(headers or {})}
    )


def call(
    http: httpx.Client,
    action: str = "GetServiceStatus",
    params: Mapping[str, str | None] | None = None,
    *,
    method: str = "POST",
    path: str = PATH,
    where: str | None = None,
    after: Mapping[str, str | None] | None = None,
    **sign_options: str,
) -> httpx.Response:
    """Sign and send one request; ``after`` changes (or, with ``None``, drops) parameters once signed."""
    host = http.base_url.netloc.decode("ascii")
    pairs = signed_pairs(host, action, params, method=method, path=path, **sign_options)
    if after:
        changed = dict(pairs) | dict(after)
        pairs = [(k, v) for k, v in changed.items() if v is not None]
    return send(http, pairs, method=method, path=path, where=where or ("query" if method == "GET" else "body"))


def document(response: httpx.Response) -> etree._Element:
    return etree.fromstring(response.content)


def text(node: etree._Element, path: str) -> str | None:
    found = node.find(path, N)
    return None if found is None else (found.text or "")


def check_headers(response: httpx.Response) -> str:
    """The headers every MWS answer carries (docs/mws-protocol.md "Answers"); returns the request id."""
    assert response.headers["content-type"] == "text/xml"
    request_id = response.headers["x-mws-request-id"]
    assert UUID.fullmatch(request_id)
    assert MILLIS.fullmatch(response.headers["x-mws-timestamp"])
    assert response.headers["x-mws-response-context"]
    date = parsedate_to_datetime(response.headers["date"])
    assert abs((date - datetime.now(UTC)).total_seconds()) < 60
    assert int(response.headers["content-length"]) == len(response.content)
    assert not any(name.startswith("x-mws-quota") for name in response.headers)
    return request_id


@dataclass(frozen=True)
class Error:
    status: int
    type: str
    code: str
    message: str


def error(response: httpx.Response) -> Error:
    """Check an ``ErrorResponse`` completely (headers, declaration, namespace, fields) and return its content."""
    request_id = check_headers(response)
    assert response.content.startswith(b'<?xml version="1.0"?>\n<ErrorResponse xmlns="' + NS.encode() + b'">\n')
    root = document(response)
    assert root.tag == f"{{{NS}}}ErrorResponse"
    errors = root.findall("m:Error", N)
    assert len(errors) == 1
    fields = [child.tag.split("}")[1] for child in errors[0]]
    assert fields == ["Type", "Code", "Message"]
    assert text(root, "m:RequestID") == request_id  # capital D, like real MWS error bodies
    assert root.find("m:RequestId", N) is None
    found = Error(
        response.status_code,
        text(errors[0], "m:Type") or "",
        text(errors[0], "m:Code") or "",
        text(errors[0], "m:Message") or "",
    )
    assert found.type == ("Receiver" if found.status >= 500 and found.code != "RequestThrottled" else "Sender")
    assert found.message
    return found


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:10].upper()}"
