"""Request parameters: decoding the query string and form body, and typed, validated access to values.

MWS parameters are flat ``name=value`` pairs; structures flatten with dots and lists with ``.member.N``
(``docs/mws-protocol.md`` "Parameters"). :class:`Params` gives each operation one place to read them, and every
refusal names the offending parameter by its full wire name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import unquote

from outbound.mws.errors import MwsError, invalid, missing, too_long

MAX_BODY = 1 << 20
MAX_QUERY = 60 << 10  # below the HTTP servers' own request-line limit, so our answer is the one sent
MAX_PARAMS = 10_000

_TRUE = {"true", "1"}
_FALSE = {"false", "0"}
_DATETIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?"
    r"(Z|z|[+-]\d{2}(?::?\d{2})?)?",
    re.ASCII,
)
_MEMBER = re.compile(r"(?:member\.)?(\d+)(?:\.(.+))?", re.ASCII)
_INTEGER = re.compile(r"-?[0-9]+")
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


def too_large() -> MwsError:
    return MwsError("InvalidParameterValue", "Request is too large.")


def decode_pairs(raw: bytes) -> list[tuple[str, str]]:
    """Form-decode ``a=b&c=d`` (``%XX`` as UTF-8, ``+`` as space), skipping empty pairs like ``?&Version=``."""
    try:
        text = raw.decode("ascii")
        if _BAD_ESCAPE.search(text):
            raise MwsError("InvalidParameterValue", "Request parameters are not valid form encoding.")
        if text.count("&") >= MAX_PARAMS:
            raise too_large()
        return [(_unquoted(name), _unquoted(value)) for name, _, value in _pieces(text)]
    except UnicodeDecodeError as exc:
        raise MwsError("InvalidParameterValue", "Request parameters are not valid UTF-8 form encoding.") from exc
    except ValueError as exc:  # more than MAX_PARAMS fields
        raise too_large() from exc


def _pieces(text: str) -> Iterator[tuple[str, str, str]]:
    """``name=value`` pieces as ``parse_qsl(keep_blank_values=True)`` splits them (a piece without ``=`` has an
    empty value; empty pieces are skipped)."""
    for piece in text.split("&"):
        if piece:
            yield piece.partition("=")


def _unquoted(text: str) -> str:
    """``+`` as a space and ``%XX`` as UTF-8 (strict), as ``parse_qsl`` decodes; most names and values have
    neither, and are taken as they are."""
    if "%" not in text and "+" not in text:
        return text
    return unquote(text.replace("+", " "), errors="strict")


def collect(query: bytes, body: bytes | None) -> list[tuple[str, str]]:
    """The request's parameter set: the query string plus, for a POST, the form body (docs/mws-protocol.md)."""
    if len(query) > MAX_QUERY or (body is not None and len(body) > MAX_BODY):
        raise too_large()
    pairs = decode_pairs(query)
    if body:
        pairs += decode_pairs(body)
    if len(pairs) > MAX_PARAMS:
        raise too_large()
    seen: set[str] = set()
    for name, _ in pairs:
        if name in seen:
            raise MwsError("InvalidParameterValue", f"Parameter {_printable(name)} is given more than once.")
        seen.add(name)
    return pairs


def _printable(text: str, limit: int = 200) -> str:
    cleaned = "".join(ch if ch.isprintable() else "\ufffd" for ch in text)
    return cleaned if len(cleaned) <= limit else cleaned[:limit] + "..."


def parse_datetime(value: str, *, date_only: bool = False) -> datetime | None:
    """An ISO 8601 instant as real clients send it, in UTC; a zone-less value is read as UTC.

    With ``date_only`` a bare date (``2013-12-29``) is accepted and read as midnight UTC.
    """
    match = _DATETIME.fullmatch(value.strip())
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    if hour is None and not date_only:
        return None
    try:
        micro = int((fraction or "0")[:6].ljust(6, "0"))
        tz = UTC
        if zone and zone not in "Zz":
            sign = -1 if zone[0] == "-" else 1
            digits = zone[1:].replace(":", "")
            offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
            tz = timezone(sign * offset)
        moment = datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0), micro, tz
        )
    except ValueError:
        return None
    return moment.astimezone(UTC)


class _Structures:
    """Every structure a request's names open (``Items.member.1.SellerSKU`` opens ``Items``, ``Items.member`` and
    ``Items.member.1``), found on the first :meth:`Params.has` and shared by the views of one request: asking for a
    structure is then one set lookup instead of a scan of every name."""

    __slots__ = ("_found",)

    def __init__(self) -> None:
        self._found: frozenset[str] | None = None

    def of(self, values: dict[str, str]) -> frozenset[str]:
        if self._found is None:
            heads = set()
            for key in values:
                dot = key.find(".")
                while dot != -1:
                    heads.add(key[:dot])
                    dot = key.find(".", dot + 1)
            self._found = frozenset(heads)
        return self._found


class Params:
    """Read-only view of request parameters, optionally scoped under a prefix (``Items.member.1.``)."""

    __slots__ = ("_prefix", "_structures", "_values")

    def __init__(self, values: dict[str, str], prefix: str = "", structures: _Structures | None = None) -> None:
        self._values = values
        self._prefix = prefix
        self._structures = structures or _Structures()

    @classmethod
    def of(cls, pairs: Iterable[tuple[str, str]]) -> Params:
        return cls(dict(pairs))

    def name(self, field: str) -> str:
        """The full wire name of ``field`` in this scope, as errors report it."""
        return self._prefix + field

    def raw(self, field: str) -> str | None:
        return self._values.get(self._prefix + field)

    def has(self, field: str) -> bool:
        full = self._prefix + field
        return full in self._values or full in self._structures.of(self._values)

    def string(
        self, field: str, *, required: bool = False, max_len: int | None = None, trim: bool = True
    ) -> str | None:
        """A string value; identifiers are trimmed, free text keeps its spaces (``trim=False``)."""
        value = self.raw(field)
        if value is not None and trim:
            value = value.strip()
        if value is None or (required and not value.strip()):
            if required:
                raise missing(self.name(field))
            return None
        if max_len is not None and len(value) > max_len:
            raise too_long(self.name(field), value, max_len)
        return value

    def require(self, field: str, *, max_len: int | None = None, trim: bool = True) -> str:
        value = self.string(field, required=True, max_len=max_len, trim=trim)
        assert value is not None
        return value

    def enum(self, field: str, allowed: Iterable[str], *, required: bool = False) -> str | None:
        value = self.string(field, required=required)
        if value is not None and value not in allowed:
            raise invalid(self.name(field), value)
        return value

    def integer(
        self, field: str, *, required: bool = False, minimum: int = 1, maximum: int = 2_147_483_647
    ) -> int | None:
        value = self.string(field, required=required)
        if value is None:
            return None
        if not _INTEGER.fullmatch(value):
            raise invalid(self.name(field), value)
        number = int(value)
        if not minimum <= number <= maximum:
            raise invalid(self.name(field), value)
        return number

    def boolean(self, field: str, *, default: bool = False) -> bool:
        value = self.string(field)
        if value is None or value == "":
            return default
        if value.lower() in _TRUE:
            return True
        if value.lower() in _FALSE:
            return False
        raise invalid(self.name(field), value)

    def datetime(self, field: str, *, required: bool = False, date_only: bool = False) -> datetime | None:
        value = self.string(field, required=required)
        if value is None:
            return None
        moment = parse_datetime(value, date_only=date_only)
        if moment is None:
            raise invalid(self.name(field), value)
        return moment

    def struct(self, field: str) -> Params:
        """The fields of a flattened structure (``DestinationAddress.Line1`` → ``Line1``)."""
        return Params(self._values, f"{self._prefix}{field}.", self._structures)

    def _members(self, field: str) -> Iterator[tuple[int, str, str | None]]:
        head = f"{self._prefix}{field}."
        for key in self._values:
            if not key.startswith(head):
                continue
            tail = key[len(head) :]
            match = _MEMBER.fullmatch(tail)
            if not match or int(match.group(1)) < 1 or match.group(1).startswith("0"):
                raise invalid(key, self._values[key], "not a valid list member")
            yield int(match.group(1)), tail[: match.end(1)], match.group(2)

    def members(self, field: str) -> list[Params]:
        """Entries of a list of structures, ``Items.member.N.X`` (or the short ``Items.N.X``), by ascending N."""
        found: dict[int, str] = {}
        for index, label, rest in self._members(field):
            if rest is None:
                raise invalid(self.name(f"{field}.{label}"), self.raw(f"{field}.{label}") or "")
            found[index] = label
        return [Params(self._values, f"{self._prefix}{field}.{found[i]}.", self._structures) for i in sorted(found)]

    def values(self, field: str, allowed: Iterable[str] | None = None) -> list[str]:
        """Entries of a list of plain values, ``X.member.N`` (or the short ``X.N``), by ascending N, trimmed;
        with ``allowed``, a value outside it is refused under the key the client sent."""
        choices = None if allowed is None else frozenset(allowed)
        found: dict[int, str] = {}
        for index, label, rest in self._members(field):
            key = self.name(f"{field}.{label}")
            if rest is not None:
                raise invalid(f"{key}.{rest}", self._values[f"{key}.{rest}"])
            found[index] = self._values[key].strip()
            if choices is not None and found[index] not in choices:
                raise invalid(key, found[index])
        return [found[i] for i in sorted(found)]
