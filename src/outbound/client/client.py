"""``OutboundClient``: signs requests (Signature Version 2), posts them with httpx, parses typed results.

It works against Amazon's endpoint or an Outbound server alike; only the endpoint URL differs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from urllib.parse import urlsplit

import httpx
from lxml import etree

from outbound.mws import signing

NS = "http://mws.amazonaws.com/FulfillmentOutboundShipment/2010-10-01/"
PATH = "/FulfillmentOutboundShipment/2010-10-01"
VERSION = "2010-10-01"
_N = {"m": NS}


class MwsClientError(Exception):
    """An ``ErrorResponse`` from the server, with its MWS code, HTTP status and request id."""

    def __init__(self, status: int, code: str, message: str, request_id: str | None, error_type: str = "") -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.request_id = request_id
        self.type = error_type


@dataclass(frozen=True, slots=True)
class ServiceStatus:
    status: str
    timestamp: datetime
    message_id: str | None = None
    messages: tuple[tuple[str, str], ...] = ()  # (locale, text)


def _text(node: etree._Element, path: str) -> str | None:
    found = node.find(path, _N)
    return None if found is None else (found.text or "")


def _datetime(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


class OutboundClient:
    """A client for one seller; ``endpoint`` is the server's base URL, e.g. ``http://127.0.0.1:8000``."""

    def __init__(
        self,
        endpoint: str,
        access_key: str,
        secret_key: str,
        seller_id: str,
        *,
        auth_token: str | None = None,
        signature_method: str = "HmacSHA256",
        timeout: float = 30.0,
        http: httpx.Client | None = None,
    ) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.access_key = access_key
        self.secret_key = secret_key
        self.seller_id = seller_id
        self.auth_token = auth_token
        self.signature_method = signature_method
        self._http = http or httpx.Client(timeout=timeout)
        self._host = urlsplit(self.endpoint).netloc

    def __enter__(self) -> OutboundClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def signed_params(self, action: str, params: Mapping[str, str] | None = None) -> dict[str, str]:
        """The full, signed parameter set for ``action`` (common parameters included)."""
        full = {
            "AWSAccessKeyId": self.access_key,
            "Action": action,
            "SellerId": self.seller_id,
            "SignatureMethod": self.signature_method,
            "SignatureVersion": "2",
            "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": VERSION,
            **(params or {}),
        }
        if self.auth_token:
            full["MWSAuthToken"] = self.auth_token
        message = signing.string_to_sign("POST", self._host, PATH, full.items())
        full["Signature"] = signing.sign(self.secret_key, message, self.signature_method)
        return full

    def call(self, action: str, params: Mapping[str, str] | None = None) -> etree._Element:
        """POST a signed request; the parsed response document, or :class:`MwsClientError`."""
        body = "&".join(
            f"{signing.encode(k)}={signing.encode(v)}" for k, v in self.signed_params(action, params).items()
        )
        response = self._http.post(
            self.endpoint + PATH,
            content=body.encode("ascii"),
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
        )
        try:
            document = etree.fromstring(response.content)
        except etree.XMLSyntaxError as exc:
            raise MwsClientError(response.status_code, "MalformedResponse", response.text[:200], None) from exc
        if response.status_code != 200 or document.tag == f"{{{NS}}}ErrorResponse":
            raise MwsClientError(
                response.status_code,
                _text(document, "m:Error/m:Code") or "",
                _text(document, "m:Error/m:Message") or "",
                _text(document, "m:RequestID") or response.headers.get("x-mws-request-id"),
                _text(document, "m:Error/m:Type") or "",
            )
        return document

    def get_service_status(self) -> ServiceStatus:
        result = self.call("GetServiceStatus").find("m:GetServiceStatusResult", _N)
        assert result is not None
        messages = tuple(
            (_text(m, "m:Locale") or "", _text(m, "m:Text") or "") for m in result.iterfind("m:Messages/m:Message", _N)
        )
        return ServiceStatus(
            status=_text(result, "m:Status") or "",
            timestamp=_datetime(_text(result, "m:Timestamp") or ""),
            message_id=_text(result, "m:MessageId"),
            messages=messages,
        )
