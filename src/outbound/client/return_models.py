"""Typed requests and results of the SDK's return operations: ListReturnReasonCodes and CreateFulfillmentReturn."""

from __future__ import annotations

from dataclasses import dataclass

from outbound.client.models import Node, ReturnAuthorization, ReturnItem, members, text


@dataclass(frozen=True)
class ReasonCodeDetails:
    return_reason_code: str
    description: str
    translated_description: str | None = None

    @classmethod
    def parse(cls, node: Node) -> ReasonCodeDetails:
        return cls(
            return_reason_code=text(node, "m:ReturnReasonCode") or "",
            description=text(node, "m:Description") or "",
            translated_description=text(node, "m:TranslatedDescription"),
        )


def parse_reason_codes(result: Node) -> list[ReasonCodeDetails]:
    return [ReasonCodeDetails.parse(m) for m in members(result, "m:ReasonCodeDetailsList")]


@dataclass(frozen=True)
class CreateReturnItem:
    """One unit to return (CreateReturnItem): each item is one unit with its own ``seller_return_item_id``."""

    seller_return_item_id: str
    seller_fulfillment_order_item_id: str
    amazon_shipment_id: str
    return_reason_code: str
    return_comment: str | None = None

    def to_params(self, prefix: str) -> dict[str, str]:
        params = {
            f"{prefix}.SellerReturnItemId": self.seller_return_item_id,
            f"{prefix}.SellerFulfillmentOrderItemId": self.seller_fulfillment_order_item_id,
            f"{prefix}.AmazonShipmentId": self.amazon_shipment_id,
            f"{prefix}.ReturnReasonCode": self.return_reason_code,
        }
        if self.return_comment is not None:
            params[f"{prefix}.ReturnComment"] = self.return_comment
        return params


@dataclass(frozen=True)
class InvalidReturnItem:
    """A unit the server refused, with its ``InvalidItemReasonCode`` and description."""

    seller_return_item_id: str
    seller_fulfillment_order_item_id: str
    invalid_item_reason_code: str
    description: str

    @classmethod
    def parse(cls, node: Node) -> InvalidReturnItem:
        return cls(
            seller_return_item_id=text(node, "m:SellerReturnItemId") or "",
            seller_fulfillment_order_item_id=text(node, "m:SellerFulfillmentOrderItemId") or "",
            invalid_item_reason_code=text(node, "m:InvalidItemReason/m:InvalidItemReasonCode") or "",
            description=text(node, "m:InvalidItemReason/m:Description") or "",
        )


@dataclass(frozen=True)
class FulfillmentReturnResult:
    """CreateFulfillmentReturn: the accepted units, the refused ones, and the authorizations made."""

    return_items: tuple[ReturnItem, ...]
    invalid_return_items: tuple[InvalidReturnItem, ...]
    return_authorizations: tuple[ReturnAuthorization, ...]

    @classmethod
    def parse(cls, result: Node) -> FulfillmentReturnResult:
        return cls(
            return_items=tuple(ReturnItem.parse(m) for m in members(result, "m:ReturnItemList")),
            invalid_return_items=tuple(InvalidReturnItem.parse(m) for m in members(result, "m:InvalidReturnItemList")),
            return_authorizations=tuple(
                ReturnAuthorization.parse(m) for m in members(result, "m:ReturnAuthorizationList")
            ),
        )
