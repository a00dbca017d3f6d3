"""``OutboundClient``: signs requests (Signature Version 2), posts them with httpx, parses typed results.

It works against Amazon's endpoint or an Outbound server alike; only the endpoint URL differs.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType

import httpx
from lxml import etree

from outbound.client.models import Address, CreateItem, FulfillmentOrder, FulfillmentOrderDetails, OrdersPage
from outbound.client.preview_models import FulfillmentPreview, PreviewItem, parse_previews
from outbound.client.return_models import (
    CreateReturnItem,
    FulfillmentReturnResult,
    ReasonCodeDetails,
    parse_reason_codes,
)
from outbound.client.tracking_models import PackageTrackingDetails
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


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


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
        # Sign the Host header httpx sends: it leaves out a default port (":80" for http, ":443" for https).
        self._host = httpx.URL(self.endpoint).netloc.decode("ascii")

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

    def _result(self, action: str, params: Mapping[str, str] | None = None) -> etree._Element:
        result = self.call(action, params).find(f"m:{action}Result", _N)
        assert result is not None, f"{action} answered without a Result"
        return result

    def get_fulfillment_preview(
        self,
        address: Address,
        items: Sequence[PreviewItem | CreateItem],
        *,
        shipping_speed_categories: Sequence[str] | None = None,
        include_cod: bool = False,
        include_delivery_windows: bool = False,
        marketplace_id: str | None = None,
    ) -> list[FulfillmentPreview]:
        """One preview per shipping speed (default: every speed the marketplace offers), in the server's order.

        ``items`` may be :class:`PreviewItem` or :class:`CreateItem` (only its SKU, line id and quantity are sent).
        ``include_cod`` and ``include_delivery_windows`` matter in JP only (IncludeCODFulfillmentPreview,
        IncludeDeliveryWindows).
        """
        params = address.to_params("Address")
        for n, item in enumerate(items, 1):
            line = PreviewItem(item.seller_sku, item.seller_fulfillment_order_item_id, item.quantity)
            params.update(line.to_params(f"Items.member.{n}"))
        for n, speed in enumerate(shipping_speed_categories or (), 1):
            params[f"ShippingSpeedCategories.member.{n}"] = speed
        if include_cod:
            params["IncludeCODFulfillmentPreview"] = "true"
        if include_delivery_windows:
            params["IncludeDeliveryWindows"] = "true"
        if marketplace_id is not None:
            params["MarketplaceId"] = marketplace_id
        return parse_previews(self._result("GetFulfillmentPreview", params))

    def create_fulfillment_order(
        self,
        seller_fulfillment_order_id: str,
        destination_address: Address,
        items: list[CreateItem],
        *,
        displayable_order_id: str | None = None,
        displayable_order_datetime: datetime | None = None,
        displayable_order_comment: str = "Thank you for your order.",
        shipping_speed_category: str = "Standard",
        fulfillment_action: str | None = None,
        fulfillment_policy: str | None = None,
        marketplace_id: str | None = None,
        notification_emails: list[str] | None = None,
        extra: Mapping[str, str] | None = None,
    ) -> str:
        """Create (or, with ``fulfillment_action="Hold"``, hold) an order; returns the request id."""
        params = {
            "SellerFulfillmentOrderId": seller_fulfillment_order_id,
            "DisplayableOrderId": displayable_order_id or seller_fulfillment_order_id,
            # default: today's date, so a retry of the same call is the same request (idempotent create)
            "DisplayableOrderDateTime": (
                _iso(displayable_order_datetime)
                if displayable_order_datetime
                else datetime.now(UTC).strftime("%Y-%m-%dT00:00:00Z")
            ),
            "DisplayableOrderComment": displayable_order_comment,
            "ShippingSpeedCategory": shipping_speed_category,
            **destination_address.to_params("DestinationAddress"),
        }
        for n, item in enumerate(items, 1):
            params.update(item.to_params(f"Items.member.{n}"))
        for n, email in enumerate(notification_emails or [], 1):
            params[f"NotificationEmailList.member.{n}"] = email
        optional = {
            "FulfillmentAction": fulfillment_action,
            "FulfillmentPolicy": fulfillment_policy,
            "MarketplaceId": marketplace_id,
        }
        params.update({k: v for k, v in optional.items() if v is not None})
        params.update(extra or {})
        return self._request_id(self.call("CreateFulfillmentOrder", params))

    def update_fulfillment_order(
        self,
        seller_fulfillment_order_id: str,
        *,
        fulfillment_action: str | None = None,
        quantities: Mapping[str, int] | None = None,
        extra: Mapping[str, str] | None = None,
    ) -> str:
        """Edit a held order and/or release it (``fulfillment_action="Ship"``); returns the request id."""
        params = {"SellerFulfillmentOrderId": seller_fulfillment_order_id}
        if fulfillment_action is not None:
            params["FulfillmentAction"] = fulfillment_action
        for n, (item_id, quantity) in enumerate((quantities or {}).items(), 1):
            params[f"Items.member.{n}.SellerFulfillmentOrderItemId"] = item_id
            params[f"Items.member.{n}.Quantity"] = str(quantity)
        params.update(extra or {})
        return self._request_id(self.call("UpdateFulfillmentOrder", params))

    def get_fulfillment_order(self, seller_fulfillment_order_id: str) -> FulfillmentOrderDetails:
        result = self._result("GetFulfillmentOrder", {"SellerFulfillmentOrderId": seller_fulfillment_order_id})
        return FulfillmentOrderDetails.parse(result)

    def get_package_tracking_details(self, package_number: int) -> PackageTrackingDetails:
        """The tracking of one package (a ``PackageNumber`` from GetFulfillmentOrder's shipment packages)."""
        result = self._result("GetPackageTrackingDetails", {"PackageNumber": str(package_number)})
        return PackageTrackingDetails.parse(result)

    def cancel_fulfillment_order(self, seller_fulfillment_order_id: str) -> str:
        document = self.call("CancelFulfillmentOrder", {"SellerFulfillmentOrderId": seller_fulfillment_order_id})
        return self._request_id(document)

    def list_all_fulfillment_orders(self, query_start: datetime | None = None) -> OrdersPage:
        params = {"QueryStartDateTime": _iso(query_start)} if query_start else {}
        return OrdersPage.parse(self._result("ListAllFulfillmentOrders", params))

    def list_all_fulfillment_orders_by_next_token(self, next_token: str) -> OrdersPage:
        return OrdersPage.parse(self._result("ListAllFulfillmentOrdersByNextToken", {"NextToken": next_token}))

    def iter_fulfillment_orders(self, query_start: datetime | None = None) -> Iterator[FulfillmentOrder]:
        """Every order of the listing, following NextToken until the last page."""
        page = self.list_all_fulfillment_orders(query_start)
        yield from page.orders
        while page.next_token:
            page = self.list_all_fulfillment_orders_by_next_token(page.next_token)
            yield from page.orders

    def list_return_reason_codes(
        self,
        seller_sku: str,
        *,
        marketplace_id: str | None = None,
        seller_fulfillment_order_id: str | None = None,
        language: str | None = None,
    ) -> list[ReasonCodeDetails]:
        """The return reason codes of a SKU in a marketplace (or in the marketplace of an order; give one of the two).

        ``language`` (``de_DE``, ``ja_JP``, ...) adds each code's ``translated_description``.
        """
        params = {"SellerSKU": seller_sku}
        optional = {
            "MarketplaceId": marketplace_id,
            "SellerFulfillmentOrderId": seller_fulfillment_order_id,
            "Language": language,
        }
        params.update({k: v for k, v in optional.items() if v is not None})
        return parse_reason_codes(self._result("ListReturnReasonCodes", params))

    def create_fulfillment_return(
        self, seller_fulfillment_order_id: str, items: Sequence[CreateReturnItem]
    ) -> FulfillmentReturnResult:
        """Ask units of a shipped order back: each item is one unit; refused ones come back with their reason."""
        params = {"SellerFulfillmentOrderId": seller_fulfillment_order_id}
        for n, item in enumerate(items, 1):
            params.update(item.to_params(f"Items.member.{n}"))
        return FulfillmentReturnResult.parse(self._result("CreateFulfillmentReturn", params))

    @staticmethod
    def _request_id(document: etree._Element) -> str:
        return _text(document, "m:ResponseMetadata/m:RequestId") or ""
