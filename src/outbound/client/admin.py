"""``AdminClient``: the operator's JSON API under ``/admin`` (virtual clock, scenarios and faults), over httpx.

Only an Outbound server has it (Amazon has no such thing); a test suite uses it to move time and steer orders::

    admin = AdminClient("http://127.0.0.1:8000")
    admin.add_scenario("A2NKEXAMPLEF53", "package", {"outcome": "lost"}, order_id="MCF-1001")
    admin.advance("3d")
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any

import httpx


class AdminError(Exception):
    """The admin API refused a request: ``status`` is the HTTP status, ``code`` and ``message`` its ``error``."""

    def __init__(self, status: int, message: str, code: str | None = None) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message
        self.code = code


@dataclass(frozen=True, slots=True)
class ClockState:
    mode: str  # "virtual" or "real"
    now: datetime


@dataclass(frozen=True, slots=True)
class ClockMove:
    now: datetime
    steps: int  # lifecycle steps applied on the way


@dataclass(frozen=True, slots=True)
class Scenario:
    id: int
    seller_id: str
    order_id: str | None
    kind: str
    params: dict[str, Any]
    remaining: int | None


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def duration_text(duration: str | timedelta) -> str:
    """``timedelta(hours=2)`` → ``"7200s"``; a string (``90m``, ``2h``, ``3d``, ``1d12h``) goes as it is."""
    if isinstance(duration, timedelta):
        seconds = duration.total_seconds()
        return f"{int(seconds)}s" if seconds == int(seconds) else f"{seconds}s"
    return duration


class AdminClient:
    """A client of ``/admin``; ``token`` is the server's ``OUTBOUND_ADMIN_TOKEN`` when it has one."""

    def __init__(
        self, base_url: str, token: str | None = None, *, timeout: float = 30.0, http: httpx.Client | None = None
    ) -> None:
        self.base_url = base_url.rstrip("/")
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._http = http or httpx.Client(timeout=timeout)
        self._headers = headers

    def __enter__(self) -> AdminClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def _call(
        self, method: str, path: str, body: dict[str, Any] | None = None, params: dict[str, str] | None = None
    ) -> dict[str, Any]:
        response = self._http.request(
            method, self.base_url + "/admin" + path, json=body, params=params or None, headers=self._headers
        )
        try:
            data = response.json()
        except ValueError:
            data = {"error": {"message": response.text[:200]}}
        if response.status_code >= 400:
            error = data.get("error") if isinstance(data, dict) else None
            if isinstance(error, dict):  # {"error": {"code", "message"}}
                raise AdminError(response.status_code, str(error.get("message") or ""), error.get("code"))
            # an older server answered {"error": "message"}
            raise AdminError(response.status_code, str(error or response.reason_phrase))
        assert isinstance(data, dict)
        return data

    # ------------------------------------------------------------------------------------------- the clock

    def clock(self) -> ClockState:
        data = self._call("GET", "/clock")
        return ClockState(str(data["mode"]), _instant(str(data["now"])))

    def advance(self, duration: str | timedelta) -> ClockMove:
        """Move the virtual clock forward (``"90m"``, ``"2h"``, ``"3d"``, ``"1d12h"`` or a timedelta)."""
        data = self._call("POST", "/clock/advance", {"duration": duration_text(duration)})
        return ClockMove(_instant(str(data["now"])), int(data["steps"]))

    def set_clock(self, instant: str | datetime) -> ClockMove:
        """Move the virtual clock forward to an ISO 8601 instant (never back)."""
        value = instant.astimezone(UTC).isoformat() if isinstance(instant, datetime) else instant
        data = self._call("POST", "/clock/set", {"to": value})
        return ClockMove(_instant(str(data["now"])), int(data["steps"]))

    # ------------------------------------------------------------------------------------------- scenarios

    def add_scenario(
        self,
        seller_id: str,
        kind: str,
        params: dict[str, Any] | None = None,
        order_id: str | None = None,
        remaining: int | None = None,
    ) -> int:
        """Add a scenario (``force_status``, ``hold_shipment``, ``package``, ``speed``, ``fault``, ...); its id."""
        body: dict[str, Any] = {"seller_id": seller_id, "kind": kind, "params": params or {}}
        if order_id is not None:
            body["order_id"] = order_id
        if remaining is not None:
            body["remaining"] = remaining
        return int(self._call("POST", "/scenarios", body)["id"])

    def scenarios(self, seller_id: str | None = None) -> list[Scenario]:
        data = self._call("GET", "/scenarios", params={"seller_id": seller_id} if seller_id else None)
        return [
            Scenario(int(s["id"]), s["seller_id"], s.get("seller_order_id"), s["kind"], s["params"], s.get("remaining"))
            for s in data["scenarios"]
        ]

    def remove_scenario(self, scenario_id: int) -> bool:
        """Remove a scenario; ``False`` when there was none with that id (already used up or removed)."""
        try:
            return bool(self._call("DELETE", f"/scenarios/{scenario_id}")["removed"])
        except AdminError as exc:
            if exc.status == 404:
                return False
            raise

    def set_service_status(self, status: str, message: str | None = None) -> None:
        self._call("POST", "/service-status", {"status": status, "message": message})
