"""Outbound inside a test suite: the real service in-process, on a private store with a clock the test moves.

``server()`` (a context manager), ``OutboundTestCase`` (unittest) and the pytest fixture ``outbound`` (registered
by installing the package) all give an :class:`OutboundServer`; see ``docs/testing.md``.
"""

from outbound.testing.server import OutboundServer, Seller, server
from outbound.testing.testcase import OutboundTestCase

__all__ = ["OutboundServer", "OutboundTestCase", "Seller", "server"]
