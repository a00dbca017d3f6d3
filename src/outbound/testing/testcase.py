"""``OutboundTestCase``: the in-process server for ``unittest`` suites, one per class, reset before each test."""

from __future__ import annotations

import unittest
from datetime import datetime
from typing import ClassVar

from outbound.testing.server import OutboundServer


class OutboundTestCase(unittest.TestCase):
    """Starts the server once per class (``setUpClass``) and resets it before each test (``setUp``): every test
    gets ``self.outbound`` with a fresh store, clock and seller.

    Class attributes choose the store and throttling: ``outbound_database`` (a PostgreSQL server URL, default a
    temporary SQLite file), ``outbound_throttle`` and ``outbound_start`` (where the virtual clock starts).
    """

    outbound_database: ClassVar[str | None] = None
    outbound_throttle: ClassVar[bool] = False
    outbound_start: ClassVar[datetime | None] = None
    outbound: ClassVar[OutboundServer]

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.outbound = OutboundServer(
            cls.outbound_database, throttle=cls.outbound_throttle, start=cls.outbound_start
        ).start()
        cls.addClassCleanup(cls.outbound.stop)

    def setUp(self) -> None:
        super().setUp()
        self.outbound.reset()
