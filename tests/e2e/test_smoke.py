"""The smallest end-to-end check: our SDK against a real server, on SQLite and PostgreSQL."""

import pytest

from outbound.client import MwsClientError, OutboundClient
from outbound.service.status import set_service_status
from tests.helpers import ACCESS_KEY, SELLER, Server, sdk_for


def test_get_service_status_green_then_yellow(server: Server) -> None:
    with sdk_for(server) as client:
        assert client.get_service_status().status == "GREEN"
        set_service_status(server.ctx.db, "YELLOW", "Delays expected.")
        status = client.get_service_status()
    assert status.status == "YELLOW"
    assert status.messages == (("en_US", "Delays expected."),)


def test_wrong_secret_is_refused(server: Server) -> None:
    with (
        OutboundClient(server.url, ACCESS_KEY, "not-the-secret", SELLER) as client,
        pytest.raises(MwsClientError) as err,
    ):
        client.get_service_status()
    assert (err.value.status, err.value.code) == (403, "SignatureDoesNotMatch")
