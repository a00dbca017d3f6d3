"""GetServiceStatus end to end: our SDK, python-amazon-mws and boto 2 against a real server (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from outbound.client import OutboundClient
from outbound.service.status import set_service_status
from tests.helpers import (
    ACCESS_KEY,
    MILLIS,
    NS,
    PATH,
    SECRET_KEY,
    SELLER,
    N,
    Server,
    boto_connection,
    python_amazon_mws,
    sdk_for,
)


def result_children(server: Server) -> list[tuple[str, str]]:
    """The (tag, text) of every element under GetServiceStatusResult, in document order."""
    with sdk_for(server, timeout=10) as client:
        root = client.call("GetServiceStatus")
    result = root.find("m:GetServiceStatusResult", N)
    assert result is not None
    return [(el.tag.replace(f"{{{NS}}}", ""), (el.text or "").strip()) for el in result.iter() if el is not result]


def test_green_by_default(server: Server) -> None:
    before = datetime.now(UTC)
    with sdk_for(server, timeout=10) as client:
        status = client.get_service_status()
    assert status.status == "GREEN"
    assert status.message_id is None and status.messages == ()
    assert before - timedelta(seconds=1) <= status.timestamp <= datetime.now(UTC) + timedelta(seconds=1)


def test_timestamp_has_milliseconds(server: Server) -> None:
    children = result_children(server)
    assert [tag for tag, _ in children] == ["Status", "Timestamp"]
    assert MILLIS.fullmatch(children[1][1])


def test_yellow_with_message(server: Server) -> None:
    text_ = "Order status updates may be delayed by up to 30 minutes."
    set_service_status(server.ctx.db, "YELLOW", text_)
    with sdk_for(server, timeout=10) as client:
        status = client.get_service_status()
    assert status.status == "YELLOW"
    assert status.message_id
    assert status.messages == (("en_US", text_),)
    children = result_children(server)
    assert [tag for tag, _ in children] == ["Status", "Timestamp", "MessageId", "Messages", "Message", "Locale", "Text"]
    assert children[2][1] == status.message_id


@pytest.mark.parametrize("value", ["RED", "GREEN_I"])
def test_other_statuses_carry_their_message(server: Server, value: str) -> None:
    set_service_status(server.ctx.db, value, "Maintenance & <upgrades>")
    with sdk_for(server, timeout=10) as client:
        status = client.get_service_status()
    assert status.status == value
    assert status.messages == (("en_US", "Maintenance & <upgrades>"),)


def test_green_with_message_sends_no_message(server: Server) -> None:
    set_service_status(server.ctx.db, "GREEN", "All good, nothing to say")
    assert [tag for tag, _ in result_children(server)] == ["Status", "Timestamp"]


def test_non_green_without_message_sends_no_message(server: Server) -> None:
    set_service_status(server.ctx.db, "YELLOW", "first a message")
    set_service_status(server.ctx.db, "YELLOW")
    children = result_children(server)
    assert [tag for tag, _ in children] == ["Status", "Timestamp"]
    assert children[0] == ("Status", "YELLOW")


def test_back_to_green(server: Server) -> None:
    set_service_status(server.ctx.db, "RED", "Down")
    set_service_status(server.ctx.db, "GREEN")
    with sdk_for(server, timeout=10) as client:
        assert client.get_service_status().status == "GREEN"


def test_sdk_signs_with_sha1_too(server: Server) -> None:
    with OutboundClient(server.url, ACCESS_KEY, SECRET_KEY, SELLER, signature_method="HmacSHA1") as client:
        assert client.get_service_status().status == "GREEN"


def test_sdk_sends_auth_token(server: Server) -> None:
    from outbound.service.accounts import add_seller

    add_seller(server.ctx.db, "A3TOKENSELLER", "AKIATOKENKEY00000000", "token-secret", auth_token="amzn.mws.t1")
    with OutboundClient(
        server.url, "AKIATOKENKEY00000000", "token-secret", "A3TOKENSELLER", auth_token="amzn.mws.t1"
    ) as client:
        assert client.get_service_status().status == "GREEN"


# --- third-party clients -------------------------------------------------------------------------------------------


def test_python_amazon_mws_get(server: Server) -> None:
    set_service_status(server.ctx.db, "YELLOW", "Slow")
    client = python_amazon_mws(server)
    response = client.get_service_status()  # type: ignore[attr-defined]
    assert response.response.status_code == 200
    assert response.response.request.method == "GET"
    assert response.parsed["Status"] == "YELLOW"
    assert MILLIS.fullmatch(response.parsed["Timestamp"])


def test_python_amazon_mws_post(server: Server) -> None:
    client = python_amazon_mws(server)
    response = client.make_request({"Action": "GetServiceStatus"}, method="POST")  # type: ignore[attr-defined]
    assert response.response.status_code == 200
    assert response.response.request.method == "POST"
    assert response.parsed["Status"] == "GREEN"


def test_python_amazon_mws_error_is_raised(server: Server) -> None:
    from mws import mws as m

    client = m.MWS(
        ACCESS_KEY, "wrong", SELLER, domain=f"http://127.0.0.1:{server.port}", uri=PATH, version="2010-10-01"
    )
    with pytest.raises(m.MWSError) as err:
        client.get_service_status()
    assert "SignatureDoesNotMatch" in str(err.value)
    assert err.value.response.status_code == 403


def test_boto(server: Server) -> None:
    set_service_status(server.ctx.db, "RED", "Down for maintenance")
    connection = boto_connection(server)
    response = connection.get_outbound_service_status()  # type: ignore[attr-defined]
    result = response.GetServiceStatusResult
    assert result.Status == "RED"
    assert MILLIS.fullmatch(result.Timestamp)
    assert response.ResponseMetadata.RequestId


def test_boto_error(server: Server) -> None:
    from boto.mws.exception import ResponseError

    connection = boto_connection(server, secret="wrong")
    with pytest.raises(ResponseError) as err:
        connection.get_outbound_service_status()  # type: ignore[attr-defined]
    assert err.value.status == 403
    assert err.value.error_code == "SignatureDoesNotMatch"
