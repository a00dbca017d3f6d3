"""The MWS wire protocol over real HTTP (docs/mws-protocol.md): request shapes, response shape, every refusal.

Most tests share one server on SQLite (the protocol does not depend on the store); the ones about sellers, grants
and MWSAuthToken run on SQLite and PostgreSQL through the ``server`` fixture.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.client import HTTPConnection
from pathlib import Path

import httpx
import pytest
from lxml import etree

from outbound.mws.call import Call
from outbound.mws.operations import OPERATIONS, Operation
from outbound.service.accounts import add_seller
from outbound.store import Database
from tests.helpers import (
    ACCESS_KEY,
    FORM,
    NS,
    PATH,
    SECRET_KEY,
    SELLER,
    VECTORS,
    Error,
    Server,
    call,
    check_headers,
    document,
    error,
    form,
    make_server,
    now_iso,
    send,
    signed_pairs,
    text,
)


@pytest.fixture(scope="module")
def proto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    db = Database(f"sqlite:///{tmp_path_factory.mktemp('protocol') / 'outbound.db'}")
    db.migrate()
    add_seller(db, SELLER, ACCESS_KEY, SECRET_KEY)
    yield from make_server(db)
    db.dispose()


@pytest.fixture(scope="module")
def http(proto: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=proto.url, timeout=10) as client:
        yield client


@pytest.fixture
def http_db(server: Server) -> Iterator[httpx.Client]:
    """A client for the per-test server (SQLite and PostgreSQL)."""
    with httpx.Client(base_url=server.url, timeout=10) as client:
        yield client


def host_of(http: httpx.Client) -> str:
    return http.base_url.netloc.decode("ascii")


def ok_status(response: httpx.Response) -> str:
    """A successful GetServiceStatus answer; returns its Status."""
    assert response.status_code == 200, response.text
    request_id = check_headers(response)
    root = document(response)
    assert root.tag == f"{{{NS}}}GetServiceStatusResponse"
    assert text(root, "m:ResponseMetadata/m:RequestId") == request_id
    return text(root, "m:GetServiceStatusResult/m:Status") or ""


def refused(response: httpx.Response, status: int, code: str, message: str | None = None) -> Error:
    found = error(response)
    assert (found.status, found.code) == (status, code), found
    if message is not None:
        assert found.message == message
    return found


# --- where the parameters are ------------------------------------------------------------------------------------


def test_get_with_query_string(http: httpx.Client) -> None:
    assert ok_status(call(http, method="GET")) == "GREEN"


def test_post_with_form_body(http: httpx.Client) -> None:
    assert ok_status(call(http, method="POST", where="body")) == "GREEN"


def test_post_with_query_string_and_empty_body_boto_style(http: httpx.Client) -> None:
    pairs = signed_pairs(host_of(http))
    response = send(http, pairs, where="query", headers={"Content-Type": "text/plain"})
    assert ok_status(response) == "GREEN"
    # python-amazon-mws and pymws: no Content-Type at all
    assert ok_status(send(http, signed_pairs(host_of(http)), where="query")) == "GREEN"


def test_post_split_between_query_and_body(http: httpx.Client) -> None:
    pairs = signed_pairs(host_of(http))
    query, body = form(pairs[:3]), form(pairs[3:])
    response = http.post(f"{PATH}?{query}", content=body.encode(), headers={"Content-Type": FORM})
    assert ok_status(response) == "GREEN"


def test_trailing_slash_path(http: httpx.Client) -> None:
    slash = PATH + "/"
    assert ok_status(call(http, path=slash)) == "GREEN"
    assert ok_status(call(http, method="GET", path=slash)) == "GREEN"
    # the signature covers the path the client requested: signed for one form, sent to the other, refused
    refused(call(http, path=slash, sign_path=PATH), 403, "SignatureDoesNotMatch")
    refused(call(http, path=PATH, sign_path=slash), 403, "SignatureDoesNotMatch")


def test_amazon_mws_npm_get_shape(http: httpx.Client) -> None:
    """``?&Version=...`` (an empty first pair), Content-Type text/xml and a Content-MD5 on a GET."""
    query = form(signed_pairs(host_of(http), method="GET", sign_host=host_of(http).split(":")[0]))
    headers = {"Content-Type": "text/xml", "Content-MD5": "1B2M2Y8AsgTpgAmY7PhCfg=="}
    assert ok_status(http.get(f"{PATH}?&{query}", headers=headers)) == "GREEN"


def test_wire_bytes_do_not_matter_only_decoded_values(http: httpx.Client) -> None:
    """``+`` for a space and lower-case ``%7e`` in a form body: the signature is over the decoded values."""
    pairs = signed_pairs(host_of(http), params={"Note": "a b~c"})
    body = form(pairs).replace("Note=a%20b~c", "Note=a+b%7ec")
    assert "a+b%7ec" in body
    assert ok_status(http.post(PATH, content=body.encode(), headers={"Content-Type": FORM})) == "GREEN"


@pytest.mark.parametrize("algorithm", ["HmacSHA256", "HmacSHA1"])
def test_both_signature_methods(http: httpx.Client, algorithm: str) -> None:
    assert ok_status(call(http, params={"SignatureMethod": algorithm})) == "GREEN"


@pytest.mark.parametrize(
    "sign_host", ["127.0.0.1", "http://127.0.0.1:{port}", "https://127.0.0.1:{port}"], ids=["no-port", "http", "https"]
)
def test_host_line_variants_of_real_clients(http: httpx.Client, proto: Server, sign_host: str) -> None:
    assert ok_status(call(http, sign_host=sign_host.format(port=proto.port))) == "GREEN"


def test_unknown_extra_parameter_is_accepted(http: httpx.Client) -> None:
    assert ok_status(call(http, params={"responseFormat": "xml", "Marketplace": "ATVPDKIKX0DER"})) == "GREEN"


@pytest.mark.parametrize("path", VECTORS, ids=[p.stem for p in VECTORS])
def test_real_client_captures_pass_the_signature_check(http: httpx.Client, path: Path) -> None:
    """Each capture replayed byte for byte (its Host header included) gets past the signature check; its recorded
    Timestamp is old, so the answer is RequestExpired, which comes after the signature ("Order of checks").
    Tampered, it is SignatureDoesNotMatch."""
    capture = json.loads(path.read_text(encoding="utf-8"))
    headers = {k: v for k, v in capture["headers"].items() if k.lower() not in ("content-length", "connection")}
    body = capture["body"].encode("utf-8")
    response = http.request(capture["method"], capture["path"], content=body, headers=headers)
    found = refused(response, 400, "RequestExpired")
    assert "too far in the past" in found.message

    tampered = capture["path"].replace("SellerId=", "SellerId=X", 1)
    if tampered == capture["path"]:
        body = body.replace(b"SellerId=", b"SellerId=X", 1)
    response = http.request(capture["method"], tampered, content=body, headers=headers)
    refused(response, 403, "SignatureDoesNotMatch")


# --- the answer --------------------------------------------------------------------------------------------------


def test_success_headers_and_exact_document(http: httpx.Client) -> None:
    before = datetime.now(UTC)
    response = call(http)
    after = datetime.now(UTC)
    assert response.status_code == 200
    assert response.reason_phrase == "OK"  # Amazon's PHP client needs the reason phrase
    request_id = check_headers(response)
    context = response.headers["x-mws-response-context"]
    assert SECRET_KEY not in base64.b64decode(context + "==").decode("latin-1")
    stamp = datetime.strptime(response.headers["x-mws-timestamp"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    assert before - timedelta(seconds=1) <= stamp <= after + timedelta(seconds=1)

    timestamp = re.search(rb"<Timestamp>([^<]*)</Timestamp>", response.content)
    assert timestamp is not None
    assert re.fullmatch(rb"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z", timestamp.group(1))
    expected = (
        '<?xml version="1.0"?>\n'
        f'<GetServiceStatusResponse xmlns="{NS}">\n'
        "  <GetServiceStatusResult>\n"
        "    <Status>GREEN</Status>\n"
        f"    <Timestamp>{timestamp.group(1).decode()}</Timestamp>\n"
        "  </GetServiceStatusResult>\n"
        "  <ResponseMetadata>\n"
        f"    <RequestId>{request_id}</RequestId>\n"
        "  </ResponseMetadata>\n"
        "</GetServiceStatusResponse>\n"
    )
    assert response.text == expected


def test_request_ids_are_unique(http: httpx.Client) -> None:
    ids = {call(http).headers["x-mws-request-id"] for _ in range(3)}
    ids |= {call(http, params={"Version": "bogus"}).headers["x-mws-request-id"] for _ in range(3)}
    assert len(ids) == 6


def test_error_document_exact(http: httpx.Client) -> None:
    response = call(http, params={"Action": "Bogus"})
    request_id = check_headers(response)
    assert response.reason_phrase == "Not Found"
    assert response.text == (
        '<?xml version="1.0"?>\n'
        f'<ErrorResponse xmlns="{NS}">\n'
        "  <Error>\n"
        "    <Type>Sender</Type>\n"
        "    <Code>InvalidAddress</Code>\n"
        "    <Message>Invalid action Bogus.</Message>\n"
        "  </Error>\n"
        f"  <RequestID>{request_id}</RequestID>\n"
        "</ErrorResponse>\n"
    )


# --- refusals, in the order of checks ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["AWSAccessKeyId", "Signature", "SignatureMethod", "SignatureVersion"])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_missing_auth_parameter(http: httpx.Client, name: str, method: str) -> None:
    response = call(http, method=method, after={name: None})
    refused(response, 400, "InvalidParameterValue", f"Missing required parameter {name}.")
    refused(call(http, method=method, after={name: ""}), 400, "InvalidParameterValue")


def test_missing_timestamp(http: httpx.Client) -> None:
    response = call(http, params={"Timestamp": None})
    refused(response, 400, "InvalidParameterValue", "Missing required parameter Timestamp.")


def test_no_parameters_at_all(http: httpx.Client) -> None:
    refused(http.get(PATH), 400, "InvalidParameterValue", "Missing required parameter AWSAccessKeyId.")
    refused(http.post(PATH), 400, "InvalidParameterValue", "Missing required parameter AWSAccessKeyId.")


@pytest.mark.parametrize(("name", "value"), [("SignatureVersion", "1"), ("SignatureMethod", "HmacMD5")])
def test_unsupported_signature_scheme(http: httpx.Client, name: str, value: str) -> None:
    found = refused(call(http, params={name: value}), 400, "InvalidParameterValue")
    assert name in found.message and value in found.message


def test_unknown_access_key(http: httpx.Client) -> None:
    response = call(http, params={"AWSAccessKeyId": "AKIANOTAREALKEY00000"})
    refused(response, 403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.")


def test_bad_signature(http: httpx.Client) -> None:
    message = "The Signature parameter does not match the signature computed for this request."
    refused(call(http, secret="not-the-secret"), 403, "SignatureDoesNotMatch", message)
    refused(call(http, after={"Signature": base64.b64encode(bytes(32)).decode()}), 403, "SignatureDoesNotMatch")
    refused(call(http, after={"Signature": "%%%not base64"}), 403, "SignatureDoesNotMatch")
    refused(call(http, method="GET", sign_method="POST"), 403, "SignatureDoesNotMatch")
    refused(call(http, sign_host="mws.amazonservices.com"), 403, "SignatureDoesNotMatch")


def test_tampered_parameter_after_signing(http: httpx.Client) -> None:
    refused(call(http, after={"SellerId": "A2NKEXAMPLEF54"}), 403, "SignatureDoesNotMatch")
    refused(call(http, after={"responseFormat": "xml"}), 403, "SignatureDoesNotMatch")


def test_tampered_timestamp_is_a_signature_error_not_an_expiry(http: httpx.Client) -> None:
    old = now_iso(-timedelta(hours=2))
    refused(call(http, after={"Timestamp": old}), 403, "SignatureDoesNotMatch")


@pytest.mark.parametrize(
    "value",
    [
        "{now:%Y-%m-%dT%H:%M:%S}Z",
        "{now:%Y-%m-%dT%H:%M:%S}.123Z",
        "{now:%Y-%m-%dT%H:%M:%S}",  # zone-less: UTC
        "{now:%Y-%m-%dT%H:%M:%S.%f}",
        "{now:%Y-%m-%dT%H:%M:%S}+00:00",
        "{minus7:%Y-%m-%dT%H:%M:%S}.093-07",
    ],
)
def test_timestamp_formats_accepted(http: httpx.Client, value: str) -> None:
    now = datetime.now(UTC)
    stamp = value.format(now=now, minus7=now - timedelta(hours=7))
    assert ok_status(call(http, params={"Timestamp": stamp})) == "GREEN"


def test_timestamp_window_is_15_minutes(http: httpx.Client) -> None:
    assert ok_status(call(http, params={"Timestamp": now_iso(-timedelta(minutes=14))})) == "GREEN"
    assert ok_status(call(http, params={"Timestamp": now_iso(timedelta(minutes=14))})) == "GREEN"

    past = now_iso(-timedelta(minutes=16))
    refused(
        call(http, params={"Timestamp": past}),
        400,
        "RequestExpired",
        f"Request signature is too far in the past and has expired. Timestamp date: {past}",
    )
    future = now_iso(timedelta(minutes=16))
    refused(
        call(http, params={"Timestamp": future}),
        400,
        "RequestExpired",
        f"Request signature is too far in the future. Timestamp date: {future}",
    )


def test_timestamp_in_another_zone_is_compared_as_an_instant(http: httpx.Client) -> None:
    """An instant 20 minutes ago written at +07:00: its digits read as UTC would be hours in the future."""
    moment = datetime.now(UTC) - timedelta(minutes=20)
    local = (moment + timedelta(hours=7)).strftime("%Y-%m-%dT%H:%M:%S") + "+07:00"
    found = refused(call(http, params={"Timestamp": local}), 400, "RequestExpired")
    assert "too far in the past" in found.message


def test_unparseable_timestamp(http: httpx.Client) -> None:
    refused(
        call(http, params={"Timestamp": "yesterday"}),
        400,
        "InvalidParameterValue",
        "Timestamp yesterday must be in ISO8601 format",
    )


def test_expires(http: httpx.Client) -> None:
    assert ok_status(call(http, params={"Timestamp": None, "Expires": now_iso(timedelta(minutes=5))})) == "GREEN"
    # a long-lived Expires is fine: it is not a Timestamp (no 15-minute window)
    assert ok_status(call(http, params={"Timestamp": None, "Expires": now_iso(timedelta(hours=2))})) == "GREEN"
    refused(call(http, params={"Timestamp": None, "Expires": now_iso(-timedelta(seconds=5))}), 400, "RequestExpired")
    refused(call(http, params={"Timestamp": None, "Expires": now_iso(timedelta(hours=25))}), 400, "RequestExpired")
    refused(call(http, params={"Timestamp": None, "Expires": "soon"}), 400, "InvalidParameterValue")


def test_timestamp_and_expires_together(http: httpx.Client) -> None:
    response = call(http, params={"Expires": now_iso(timedelta(minutes=5))})
    refused(response, 400, "InvalidParameterValue")


def test_version(http: httpx.Client) -> None:
    found = refused(call(http, params={"Version": "2011-01-01"}), 400, "InvalidParameterValue")
    assert "2011-01-01" in found.message and "Version" in found.message
    refused(
        call(http, params={"Version": ""}),
        400,
        "InvalidRequest",
        "parameter Version failed a validation check: value cannot be empty.",
    )
    refused(call(http, params={"Version": None}), 400, "InvalidParameterValue", "Missing required parameter Version.")


def test_unknown_action(http: httpx.Client) -> None:
    refused(call(http, "GetFulfilmentOrder"), 404, "InvalidAddress", "Invalid action GetFulfilmentOrder.")
    refused(call(http, "getServiceStatus"), 404, "InvalidAddress")  # names are case-sensitive
    refused(call(http, params={"Action": None}), 400, "InvalidParameterValue", "Missing required parameter Action.")


def test_missing_seller(http: httpx.Client) -> None:
    response = call(http, params={"SellerId": None})
    refused(response, 400, "InvalidParameterValue", "Missing required parameter SellerId.")


def test_merchant_alias(http: httpx.Client) -> None:
    assert ok_status(call(http, params={"SellerId": None, "Merchant": SELLER})) == "GREEN"
    assert ok_status(call(http, params={"Merchant": SELLER})) == "GREEN"
    found = refused(call(http, params={"Merchant": "A2NKEXAMPLEF54"}), 400, "InvalidParameterValue")
    assert "Merchant" in found.message


def test_unexpected_failure_is_internal_error(http: httpx.Client, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(call: Call) -> None:
        raise RuntimeError("secret detail")

    monkeypatch.setitem(
        OPERATIONS, "GetServiceStatus", Operation("GetServiceStatus", OPERATIONS["GetServiceStatus"].quota, boom)
    )
    response = call(http)
    found = refused(response, 500, "InternalError")
    assert found.type == "Receiver"
    assert "secret detail" not in response.text and "Traceback" not in response.text


# --- paths and methods ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/nope",
        "/FulfillmentOutboundShipment/2011-01-01",
        "/FulfillmentOutboundShipment/2010-10-01/extra",
        "/FulfillmentOutboundShipment/2010-10-01//",
        "/fulfillmentoutboundshipment/2010-10-01",
        "/FulfillmentInboundShipment/2010-05-01",
        "/Orders/2013-09-01",
    ],
)
@pytest.mark.parametrize("method", ["GET", "POST", "PUT"])
def test_unknown_path(http: httpx.Client, path: str, method: str) -> None:
    response = http.request(method, path, content=form(signed_pairs(host_of(http), path=path)).encode())
    refused(response, 404, "InvalidAddress", "The specified address is invalid.")


def test_unknown_path_head_has_no_body(http: httpx.Client) -> None:
    response = http.head("/nope")
    assert response.status_code == 404
    assert response.content == b""
    assert response.headers["content-type"] == "text/xml"
    assert response.headers["x-mws-request-id"]


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"])
@pytest.mark.parametrize("path", [PATH, PATH + "/"])
def test_other_methods_405(http: httpx.Client, method: str, path: str) -> None:
    response = http.request(method, path)
    found = refused(response, 405, "InvalidRequest")
    assert method in found.message
    assert response.headers["allow"] == "GET, POST"


def test_head_405_without_body(http: httpx.Client) -> None:
    response = http.head(PATH)
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    assert response.headers["content-type"] == "text/xml"
    assert response.headers["x-mws-request-id"]
    assert response.content == b""


def test_no_redirect_between_slash_forms(http: httpx.Client) -> None:
    for path in (PATH, PATH + "/"):
        assert http.get(path).status_code == 400  # answered there, not 307 to the other form


# --- malformed and oversized requests --------------------------------------------------------------------------------


def test_huge_body(http: httpx.Client) -> None:
    body = form(signed_pairs(host_of(http))) + "&Padding=" + "x" * (1 << 20)
    response = http.post(PATH, content=body.encode(), headers={"Content-Type": FORM})
    refused(response, 400, "InvalidParameterValue", "Request is too large.")


def raw_request(server: Server, method: str, target: str, body: bytes = b"") -> httpx.Response:
    """Through http.client, which (unlike httpx) sends request lines of any length."""
    connection = HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.request(method, target, body=body)
        answer = connection.getresponse()
        return httpx.Response(answer.status, headers=answer.getheaders(), content=answer.read())
    finally:
        connection.close()


def test_huge_query_string(proto: Server) -> None:
    """Above 64 KiB. uvicorn itself refuses request lines from about 65,500 bytes with a plain-text 400, before the
    app sees them; the app's own limit answers an ErrorResponse when the request reaches it (test_params)."""
    response = raw_request(proto, "GET", f"{PATH}?Padding={'x' * (64 << 10)}")
    assert response.status_code == 400
    if response.headers.get("content-type") == "text/xml":
        refused(response, 400, "InvalidParameterValue", "Request is too large.")


def test_too_many_parameters(http: httpx.Client) -> None:
    body = "&".join(f"P{i}=1" for i in range(10_001))
    response = http.post(PATH, content=body.encode(), headers={"Content-Type": FORM})
    refused(response, 400, "InvalidParameterValue", "Request is too large.")


@pytest.mark.parametrize(
    "body",
    [
        bytes(range(256)),
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"\xff\xfe=\x00\x00",
        b"Action=%FF%FE",
        b"Action=%C3",
        b"Action=%ZZ&AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE",
        b"Action=100%",
        b"%=%",
        b"<?xml version='1.0'?><x/>",
        b'{"Action": "GetServiceStatus"}',
    ],
)
def test_junk_body_is_400_never_500(http: httpx.Client, body: bytes) -> None:
    response = http.post(PATH, content=body, headers={"Content-Type": FORM})
    found = error(response)
    assert found.status == 400, found


def test_bad_percent_encoding_in_a_signed_request(http: httpx.Client) -> None:
    encoded = form(signed_pairs(host_of(http), params={"Note": "100%ZZ"})).replace("100%25ZZ", "100%ZZ")
    response = http.post(PATH, content=encoded.encode(), headers={"Content-Type": FORM})
    refused(response, 400, "InvalidParameterValue")


def test_junk_query_string(http: httpx.Client) -> None:
    response = http.get(PATH + "?Action=%FF&%%%")
    assert error(response).status == 400


def test_repeated_parameter(http: httpx.Client) -> None:
    pairs = signed_pairs(host_of(http))
    response = send(http, [*pairs, ("Action", "GetServiceStatus")])
    refused(response, 400, "InvalidParameterValue", "Parameter Action is given more than once.")
    # once in the query string and once in the body
    query = form([("SellerId", SELLER)])
    response = http.post(f"{PATH}?{query}", content=form(pairs).encode(), headers={"Content-Type": FORM})
    refused(response, 400, "InvalidParameterValue", "Parameter SellerId is given more than once.")


# --- ping and health -----------------------------------------------------------------------------------------------


def test_ping_document(http: httpx.Client) -> None:
    response = http.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/xml")
    assert response.text.startswith('<?xml version="1.0"?>')
    root = etree.fromstring(response.content)
    assert root.tag == "PingResponse"
    stamp = root.find("Timestamp")
    assert stamp is not None
    moment = datetime.strptime(stamp.get("timestamp") or "", "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert abs(moment - datetime.now(UTC)) < timedelta(seconds=5)


def test_health(http: httpx.Client) -> None:
    response = http.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["database"] == "sqlite"


# --- sellers, grants and MWSAuthToken (SQLite and PostgreSQL) ------------------------------------------------------


def test_key_not_granted_for_the_seller(server: Server, http_db: httpx.Client) -> None:
    add_seller(server.ctx.db, "A1OTHERSELLER00", "AKIAOTHERKEY0000000", "other-secret")
    response = call(http_db, params={"SellerId": "A1OTHERSELLER00"})
    refused(response, 401, "AccessDenied")
    assert response.reason_phrase == "Unauthorized"
    # the other seller's own key works for it, and not for ours
    assert ok_status(
        call(
            http_db,
            params={"SellerId": "A1OTHERSELLER00", "AWSAccessKeyId": "AKIAOTHERKEY0000000"},
            secret="other-secret",
        )
    )
    refused(call(http_db, params={"AWSAccessKeyId": "AKIAOTHERKEY0000000"}, secret="other-secret"), 401, "AccessDenied")


def test_unknown_seller(server: Server, http_db: httpx.Client) -> None:
    refused(call(http_db, params={"SellerId": "A0NOSUCHSELLER"}), 401, "AccessDenied")


TOKEN = "amzn.mws.4ea38b7b-f563-7709-4bae-87aeaEXAMPLE"
DEV_KEY = "AKIADEVELOPERKEY0000"
DEV_SECRET = "developer-secret/with+chars="


@pytest.fixture
def delegated(server: Server) -> str:
    """A seller our developer key acts for only with the seller's MWSAuthToken."""
    seller = "A3DELEGATEDSELLER"
    add_seller(server.ctx.db, seller, DEV_KEY, DEV_SECRET, auth_token=TOKEN)
    return seller


def dev_call(http: httpx.Client, seller: str, token: str | None) -> httpx.Response:
    params = {"AWSAccessKeyId": DEV_KEY, "SellerId": seller, "MWSAuthToken": token}
    return call(http, params=params, secret=DEV_SECRET)


def test_auth_token_right(http_db: httpx.Client, delegated: str) -> None:
    assert ok_status(dev_call(http_db, delegated, TOKEN)) == "GREEN"
    params = {"AWSAccessKeyId": DEV_KEY, "SellerId": delegated, "MWSAuthToken": f" {TOKEN} "}
    assert ok_status(call(http_db, method="GET", params=params, secret=DEV_SECRET)) == "GREEN"
    # the developer key acts for the delegated seller only, not for ours
    refused(
        call(http_db, params={"AWSAccessKeyId": DEV_KEY, "MWSAuthToken": TOKEN}, secret=DEV_SECRET), 401, "AccessDenied"
    )


@pytest.mark.parametrize("token", [None, "", "undefined", "None"])
def test_auth_token_missing(http_db: httpx.Client, delegated: str, token: str | None) -> None:
    refused(dev_call(http_db, delegated, token), 401, "AccessDenied", "Missing required MWSAuthToken for Seller.")


def test_auth_token_wrong(http_db: httpx.Client, delegated: str) -> None:
    found = refused(dev_call(http_db, delegated, TOKEN + "X"), 401, "AccessDenied")
    assert found.message != "Missing required MWSAuthToken for Seller."
    assert TOKEN not in found.message


@pytest.mark.parametrize("token", ["", "undefined", "None"])
def test_empty_auth_token_is_absent_when_none_is_required(http_db: httpx.Client, token: str) -> None:
    assert ok_status(call(http_db, params={"MWSAuthToken": token})) == "GREEN"


def test_re_adding_a_seller_with_a_new_token(server: Server, http_db: httpx.Client, delegated: str) -> None:
    add_seller(server.ctx.db, delegated, DEV_KEY, DEV_SECRET, auth_token="amzn.mws.new-token")
    refused(dev_call(http_db, delegated, TOKEN), 401, "AccessDenied")
    assert ok_status(dev_call(http_db, delegated, "amzn.mws.new-token")) == "GREEN"


def test_secret_rotation(server: Server, http_db: httpx.Client) -> None:
    add_seller(server.ctx.db, SELLER, ACCESS_KEY, "rotated-secret")
    refused(call(http_db), 403, "SignatureDoesNotMatch")
    assert ok_status(call(http_db, secret="rotated-secret")) == "GREEN"
