"""What a running service holds once: settings, the database and the throttle."""

from __future__ import annotations

from dataclasses import dataclass

from outbound.config import Settings
from outbound.mws import throttle as throttling
from outbound.store import Database


@dataclass
class Context:
    settings: Settings
    db: Database
    throttle: throttling.Throttle

    @classmethod
    def open(cls, settings: Settings, *, migrate: bool = True) -> Context:
        db = Database(settings.database_url)
        if migrate:
            db.migrate()
        return cls(settings, db, throttling.build(settings.throttle, settings.redis_url))

    def close(self) -> None:
        self.db.dispose()
