"""Reading SP-API inputs: the JSON body, the query string, and typed values checked against the model.

Every refusal names the field by its path (``items[2].quantity``). Unknown fields and query parameters are ignored
at any depth (clients add their own ``marketplaceIds`` and the like).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qsl

from outbound.spapi.errors import SpApiError, invalid, missing, too_large

MAX_BODY = 1 << 20
MAX_QUERY = 64 << 10
MAX_DEPTH = 32
INT32_MAX = 2_147_483_647

_DATETIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?",
    re.ASCII,
)


def parse_body(raw: bytes, *, required: bool) -> Any:
    """The JSON body, whatever the content type; an empty body is ``None``."""
    if len(raw) > MAX_BODY:
        raise too_large()
    if not raw.strip():
        if required:
            raise missing("body")
        return None
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError):
        raise SpApiError("InvalidInput", "The request body is not valid JSON.", "body") from None
    if _depth(value) > MAX_DEPTH:
        raise too_large()
    return value


def _depth(value: Any) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        if deepest > MAX_DEPTH:
            return deepest
        if isinstance(node, dict):
            stack.extend((v, level + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, level + 1) for v in node)
    return deepest


def parse_query(raw: bytes, known: Iterable[str]) -> dict[str, str]:
    """The known query parameters; one given twice with different values is refused, unknown ones ignored."""
    if len(raw) > MAX_QUERY:
        raise too_large()
    wanted = frozenset(known)
    found: dict[str, str] = {}
    if not raw or not wanted:
        return found
    try:
        pairs = parse_qsl(raw.decode("ascii"), keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise SpApiError("InvalidInput", "The query string is not valid UTF-8 form encoding.") from None
    for name, value in pairs:
        if name not in wanted:
            continue
        if name in found and found[name] != value:
            raise invalid(name, f"The query parameter {name} is given more than once.")
        found[name] = value
    return found


def parse_datetime(value: str) -> datetime | None:
    """An RFC 3339 date-time as clients send it, in UTC (zone-less read as UTC, ``:60`` as ``:59``, any fraction
    kept to the microsecond); ``None`` when it is not one."""
    match = _DATETIME.fullmatch(value.strip())
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        tz: timezone = UTC
        if zone and zone not in "Zz":
            sign = -1 if zone[0] == "-" else 1
            digits = zone[1:].replace(":", "")
            tz = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0)))
        moment = datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            min(int(second or 0), 59),
            int((fraction or "0")[:6].ljust(6, "0")),
            tz,
        )
        return moment.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def stamp(moment: datetime) -> str:
    """Output date-times: UTC, whole seconds (truncated), ``Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Obj:
    """A JSON object at a path, with typed, checked access to its fields."""

    __slots__ = ("_data", "path")

    def __init__(self, data: dict[str, Any], path: str = "") -> None:
        self._data = data
        self.path = path

    @classmethod
    def root(cls, value: Any, what: str = "body") -> Obj:
        if not isinstance(value, dict):
            raise invalid(what, f"The {what} must be a JSON object.")
        return cls(value)

    def name(self, field: str) -> str:
        return f"{self.path}.{field}" if self.path else field

    def has(self, field: str) -> bool:
        return self._data.get(field) is not None

    def raw(self, field: str) -> Any:
        return self._data.get(field)

    def entries(self) -> list[tuple[str, Any]]:
        return sorted(self._data.items())

    def string(
        self, field: str, *, required: bool = False, max_len: int | None = None, trim: bool = True
    ) -> str | None:
        value = self._data.get(field)
        if value is None:
            if required:
                raise missing(self.name(field))
            return None
        if not isinstance(value, str):
            raise invalid(self.name(field), f"{self.name(field)} must be a string.")
        if trim:
            value = value.strip()
        if required and not value.strip():
            raise missing(self.name(field))
        if max_len is not None and len(value) > max_len:
            raise invalid(self.name(field), f"{self.name(field)} is longer than {max_len} characters.")
        return value

    def require(self, field: str, *, max_len: int | None = None, trim: bool = True) -> str:
        value = self.string(field, required=True, max_len=max_len, trim=trim)
        assert value is not None
        return value

    def enum(self, field: str, allowed: Iterable[str], *, required: bool = False) -> str | None:
        value = self.string(field, required=required)
        if value is not None and value not in allowed:
            raise invalid(self.name(field), f"Value {value} for {self.name(field)} is invalid.")
        return value

    def integer(self, field: str, *, required: bool = False, minimum: int = 1) -> int | None:
        value = self._data.get(field)
        if value is None:
            if required:
                raise missing(self.name(field))
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or int(value) != value:
            raise invalid(self.name(field), f"{self.name(field)} must be an integer.")
        number = int(value)
        if not minimum <= number <= INT32_MAX:
            raise invalid(self.name(field), f"Value {number} for {self.name(field)} is out of range.")
        return number

    def boolean(self, field: str) -> bool | None:
        value = self._data.get(field)
        if value is None:
            return None
        if not isinstance(value, bool):
            raise invalid(self.name(field), f"{self.name(field)} must be a boolean.")
        return value

    def datetime(self, field: str, *, required: bool = False) -> datetime | None:
        value = self.string(field, required=required)
        if value is None:
            return None
        moment = parse_datetime(value)
        if moment is None:
            raise invalid(self.name(field), f"{self.name(field)} must be an RFC 3339 date-time.")
        return moment

    def obj(self, field: str, *, required: bool = False) -> Obj | None:
        value = self._data.get(field)
        if value is None:
            if required:
                raise missing(self.name(field))
            return None
        if not isinstance(value, dict):
            raise invalid(self.name(field), f"{self.name(field)} must be an object.")
        return Obj(value, self.name(field))

    def array(self, field: str, *, required: bool = False, limit: int | None = None) -> list[Any] | None:
        value = self._data.get(field)
        if value is None:
            if required:
                raise missing(self.name(field))
            return None
        if not isinstance(value, list):
            raise invalid(self.name(field), f"{self.name(field)} must be an array.")
        if required and not value:
            raise missing(self.name(field))
        if limit is not None and len(value) > limit:
            raise invalid(self.name(field), f"{self.name(field)} has more than {limit} entries.")
        return value

    def objects(self, field: str, *, required: bool = False, limit: int | None = None) -> list[Obj]:
        found = []
        for n, value in enumerate(self.array(field, required=required, limit=limit) or ()):
            path = f"{self.name(field)}[{n}]"
            if not isinstance(value, dict):
                raise invalid(path, f"{path} must be an object.")
            found.append(Obj(value, path))
        return found

    def strings(self, field: str, *, limit: int | None = None, max_len: int | None = None) -> list[str] | None:
        values = self.array(field, limit=limit)
        if values is None:
            return None
        found = []
        for n, value in enumerate(values):
            path = f"{self.name(field)}[{n}]"
            if not isinstance(value, str):
                raise invalid(path, f"{path} must be a string.")
            if max_len is not None and len(value) > max_len:
                raise invalid(path, f"{path} is longer than {max_len} characters.")
            found.append(value.strip())
        return found
