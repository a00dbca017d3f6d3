"""The pytest plugin (registered by installing the package): the fixture ``outbound``.

One server per session (per worker under pytest-xdist), started by the first test that asks for it; each test gets
it reset: an empty store, a restarted virtual clock, no scenarios, a new seller. Options: ``--outbound-db URL`` (or
the ini setting ``outbound_db``) runs it on a private database of that PostgreSQL server; the marker
``@pytest.mark.outbound(throttle=True, marketplace=..., start=...)`` prepares one test differently.

The server module is imported only when a test uses the fixture, so the plugin costs other suites nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from outbound.testing.server import OutboundServer

MARKER = (
    "outbound(throttle=False, marketplace=None, start=None): how the outbound fixture prepares this test "
    "(throttling on, the ready seller's marketplace id, the virtual clock's start as an aware datetime)"
)
RESET_OPTIONS = ("throttle", "marketplace", "start")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("outbound", "Outbound test server")
    group.addoption(
        "--outbound-db",
        dest="outbound_db",
        default=None,
        metavar="URL",
        help="run the outbound fixture's server on a private database of this PostgreSQL server "
        "(default: a temporary SQLite file)",
    )
    parser.addini("outbound_db", "PostgreSQL server URL for the outbound fixture (as --outbound-db)", default="")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", MARKER)


@pytest.fixture(scope="session")
def outbound_server(request: pytest.FixtureRequest) -> Iterator[OutboundServer]:
    """The session's server (one per xdist worker); tests use ``outbound``, which resets it first."""
    from outbound.testing.server import OutboundServer

    database = request.config.getoption("outbound_db") or request.config.getini("outbound_db") or None
    with OutboundServer(database) as running:
        yield running


@pytest.fixture
def outbound(outbound_server: OutboundServer, request: pytest.FixtureRequest) -> OutboundServer:
    """Outbound for this test: its URL, a ready seller (``seller_id``, ``access_key``, ``secret_key``,
    ``marketplace_id``; for SP-API ``lwa_client_id``, ``lwa_client_secret``, ``refresh_token``, ``token_url``,
    ``spapi_credentials()``), ``stock``, ``scenario``, ``advance``, ``set_clock``, ``client``, ``new_seller``."""
    options = {}
    marker = request.node.get_closest_marker("outbound")
    if marker is not None:
        if marker.args:
            raise pytest.UsageError("@pytest.mark.outbound takes keyword arguments only")
        unknown = set(marker.kwargs) - set(RESET_OPTIONS)
        if unknown:
            raise pytest.UsageError(
                f"@pytest.mark.outbound: unknown option(s) {', '.join(sorted(unknown))}; "
                f"known: {', '.join(RESET_OPTIONS)}"
            )
        options = dict(marker.kwargs)
    return outbound_server.reset(**options)
