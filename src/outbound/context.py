"""What a running service holds once: settings, the database, the throttle and the service clock."""

from __future__ import annotations

from dataclasses import dataclass

from outbound import throttle as throttling
from outbound.config import Settings
from outbound.sim import clock as clocks
from outbound.store import Database


@dataclass
class Context:
    settings: Settings
    db: Database
    throttle: throttling.Throttle
    clock: clocks.Clock

    @classmethod
    def open(cls, settings: Settings, *, migrate: bool = True) -> Context:
        db = Database(settings.database_url)
        if migrate:
            db.migrate()
        throttle = throttling.build(settings.throttle, settings.redis_url)
        return cls(settings, db, throttle, clocks.build(settings.clock, db))

    def close(self) -> None:
        self.db.dispose()
