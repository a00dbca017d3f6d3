"""SP-API errors: ``{"errors": [{"code", "message", "details"}]}`` with the HTTP status of the code.

Every refusal is an :class:`SpApiError`; business refusals of the service layer (the ones MWS maps to its own codes)
are mapped by :func:`from_domain`, with the MWS parameter name translated to the SP-API field path.
"""

from __future__ import annotations

import re

from outbound.domain.errors import DomainError, InsufficientStock, InvalidValue, NotAllowed

STATUS = {
    "InvalidInput": 400,
    "Unauthorized": 403,
    "NotFound": 404,
    "MethodNotAllowed": 405,
    "QuotaExceeded": 429,
    "InternalFailure": 500,
    "ServiceUnavailable": 503,
}
DENIED = "Access to requested resource is denied."


class SpApiError(Exception):
    def __init__(self, code: str, message: str, details: str = "", status: int | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.details = details
        self.status = status if status is not None else STATUS.get(code, 400)


def invalid(path: str, message: str | None = None) -> SpApiError:
    return SpApiError("InvalidInput", message or f"The value of {path} is invalid.", path)


def missing(path: str) -> SpApiError:
    return SpApiError("InvalidInput", f"Missing required field {path}.", path)


def too_large() -> SpApiError:
    return SpApiError("InvalidInput", "Request is too large.")


def not_found(seller_order_id: str) -> SpApiError:
    return SpApiError("NotFound", f"Fulfillment order {seller_order_id} not found.")


def unauthorized(details: str) -> SpApiError:
    return SpApiError("Unauthorized", DENIED, details)


def quota_exceeded() -> SpApiError:
    return SpApiError("QuotaExceeded", "You exceeded your quota for the requested resource.")


def internal_failure() -> SpApiError:
    return SpApiError("InternalFailure", "We encountered an internal error. Please try again.")


# MWS names whose SP-API name is not simply the camelCase spelling
_NAMES = {
    "SellerSKU": "sellerSku",
    "FulfillmentNetworkSKU": "fulfillmentNetworkSku",
    "Line1": "addressLine1",
    "Line2": "addressLine2",
    "Line3": "addressLine3",
    "StateOrProvinceCode": "stateOrRegion",
    "PhoneNumber": "phone",
    "DisplayableOrderDateTime": "displayableOrderDate",
    "StartDateTime": "startDate",
    "EndDateTime": "endDate",
    "CODSettings": "codSettings",
    "IsCODRequired": "isCodRequired",
    "NotificationEmailList": "notificationEmails",
    "PackageNumber": "packageNumber",
    "NextToken": "nextToken",
}
_INDEX = re.compile(r"\d+")


def field_path(mws_name: str) -> str:
    """``Items.member.2.Quantity`` → ``items[1].quantity``; ``DestinationAddress.Line1`` →
    ``destinationAddress.addressLine1``."""
    out: list[str] = []
    for part in mws_name.split("."):
        if part == "member" or not part:
            continue
        if _INDEX.fullmatch(part) and out:
            out[-1] += f"[{int(part) - 1}]"
            continue
        out.append(_NAMES.get(part, part[:1].lower() + part[1:]))
    return ".".join(out)


def from_domain(error: DomainError) -> SpApiError:
    """The SP-API answer to a business refusal: unknown orders and packages are 404, the rest 400."""
    if isinstance(error, InvalidValue):
        path = field_path(error.field)
        if error.reason is None and error.field == "SellerFulfillmentOrderId":
            return not_found(error.value)
        if error.reason is None and error.field == "PackageNumber":
            return SpApiError("NotFound", f"Package {error.value} not found.")
        reason = f" Reason: {error.reason}." if error.reason else ""
        return invalid(path, f"Value {error.value} for {path} is invalid.{reason}")
    if isinstance(error, InsufficientStock):
        path = field_path(error.parameter) or "items"
        return invalid(path, f"Value {error.value} for {path} is invalid.")
    if isinstance(error, NotAllowed):
        return SpApiError("InvalidInput", error.message)
    return SpApiError("InvalidInput", str(error))
