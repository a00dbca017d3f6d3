"""The JSON Schemas of the admin API: the bodies it takes and answers, by name (``components/schemas`` of the OpenAPI
document), with small builders. Input is checked against these same schemas (``base.check``), so the document and
the handlers cannot drift apart."""

from __future__ import annotations

from typing import Any

from outbound.domain.notices import TYPES as NOTIFICATION_TYPES
from outbound.domain.orders import ORDER_STATUSES, SPEEDS
from outbound.domain.returns import CATEGORY_CODES
from outbound.domain.scenarios import KINDS
from outbound.domain.world import WORLD
from outbound.service import notifications
from outbound.service.status import STATUSES

Schema = dict[str, Any]

# identifiers that travel in paths: no slash, no space, no control character
SELLER_ID = {"type": "string", "pattern": r"^[A-Za-z0-9._-]{1,64}$", "description": "1-64 of A-Z a-z 0-9 . _ -"}
ACCESS_KEY = {"type": "string", "pattern": r"^[A-Za-z0-9._-]{1,128}$", "description": "1-128 of A-Z a-z 0-9 . _ -"}
SKU = {"type": "string", "pattern": r"^[^\x00-\x1f\x7f/]{1,50}$", "description": "1-50 printable characters, no /"}
ORDER_ID = {"type": "string", "pattern": r"^[^\x00-\x1f\x7f/]{1,40}$", "description": "1-40 printable characters"}
SUBSCRIPTION_ID = {"type": "string", "pattern": r"^[A-Za-z0-9._-]{1,64}$", "description": "1-64 of A-Z a-z 0-9 . _ -"}
SECRET = {"type": "string", "pattern": r"^[!-~]{1,256}$", "description": "1-256 printable ASCII, no spaces"}
DESTINATION = {"type": "string", "pattern": r"^[!-~]{1,1024}$", "description": "1-1024 printable ASCII, no spaces"}
TEXT = {"type": "string", "pattern": r"^[^\x00]*$", "maxLength": 1000}
INSTANT = {"type": "string", "format": "date-time"}
MARKETPLACE = {"type": "string", "enum": sorted(WORLD.marketplaces)}


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: Schema) -> Schema:
    if "type" in schema and isinstance(schema["type"], str) and "$ref" not in schema:
        return {**schema, "type": [schema["type"], "null"]}
    return {"anyOf": [schema, {"type": "null"}]}


def string(**kw: Any) -> Schema:
    return {"type": "string", **kw}


def integer(**kw: Any) -> Schema:
    return {"type": "integer", **kw}


def array(items: Schema, **kw: Any) -> Schema:
    return {"type": "array", "items": items, **kw}


def obj(required: tuple[str, ...] | list[str] | None = None, *, closed: bool = True, **properties: Schema) -> Schema:
    """An object of ``properties``; every one required unless ``required`` says which; no other members when
    ``closed``."""
    found: Schema = {"type": "object", "properties": properties}
    wanted = list(properties) if required is None else list(required)
    if wanted:
        found["required"] = wanted
    if closed:
        found["additionalProperties"] = False
    return found


COMPONENTS: dict[str, Schema] = {
    "Error": obj(
        error=obj(
            ["code", "message"],
            code=string(
                enum=[
                    "InvalidInput",
                    "Unauthorized",
                    "Forbidden",
                    "NotFound",
                    "MethodNotAllowed",
                    "Conflict",
                    "RequestTooLarge",
                    "InternalFailure",
                ]
            ),
            message=string(),
            field=string(description="the field a refusal is about, when one is"),
        )
    ),
    # ------------------------------------------------------------------------------------------------ the clock
    "Clock": obj(mode=string(enum=["real", "virtual"]), now=INSTANT),
    "ClockMove": obj(now=INSTANT, steps=integer(minimum=0, description="lifecycle steps applied on the way")),
    "Advance": obj(duration=string(maxLength=32, description="90m, 45s, 2h, 3d, 1w or combined, e.g. 1d12h")),
    "SetClock": obj(to=string(maxLength=64, description="an ISO 8601 instant, later than the clock's")),
    # ------------------------------------------------------------------------------------------------ scenarios
    "Scenario": obj(
        id=integer(),
        seller_id=string(),
        seller_order_id=nullable(string()),
        kind=string(enum=list(KINDS)),
        params={"type": "object"},
        remaining=nullable(integer(minimum=0)),
    ),
    "ScenarioList": obj(scenarios=array(ref("Scenario"))),
    "NewScenario": obj(
        ["seller_id", "kind"],
        seller_id=SELLER_ID,
        kind=string(enum=list(KINDS)),
        params={
            "type": "object",
            "maxProperties": 8,
            "description": "force_status {status}, hold_shipment {}, package {outcome}, speed {multiplier}, "
            "fault {action, code, message}, return {condition, arrives}",
        },
        order_id=nullable(ORDER_ID),
        remaining=nullable(integer(minimum=1, maximum=1_000_000)),
    ),
    "Created": obj(id=integer()),
    "Removed": obj(removed={"type": "boolean"}),
    # ------------------------------------------------------------------------------------------------ service status
    "ServiceStatus": obj(status=string(enum=list(STATUSES)), message=nullable(string())),
    "SetServiceStatus": obj(["status"], status=string(enum=list(STATUSES)), message=nullable(TEXT)),
    # ------------------------------------------------------------------------------------------------ sellers, keys
    "Key": obj(access_key=string(), auth_token_required={"type": "boolean"}),
    "Seller": obj(
        seller_id=string(),
        default_marketplace_id=string(),
        marketplaces=array(string()),
        created_at=INSTANT,
        keys=array(ref("Key")),
    ),
    "SellerList": obj(sellers=array(ref("Seller"))),
    "NewSeller": obj(["seller_id"], seller_id=SELLER_ID, marketplaces=array(MARKETPLACE, minItems=1, maxItems=20)),
    "NewKey": obj(
        [],
        access_key=nullable(ACCESS_KEY),
        secret_key=nullable(SECRET),
        auth_token=nullable(SECRET),
    ),
    "IssuedKey": obj(
        ["access_key", "auth_token_required"],
        access_key=string(),
        secret_key=string(description="shown this once: it is never answered again"),
        auth_token_required={"type": "boolean"},
    ),
    "KeyList": obj(seller_id=string(), keys=array(ref("Key"))),
    # ------------------------------------------------------------------------------------------------ inventory
    "Center": obj(fc=string(), sellable=integer(minimum=0), reserved=integer(minimum=0)),
    "SkuStock": obj(
        sku=string(), sellable=integer(minimum=0), reserved=integer(minimum=0), centers=array(ref("Center"))
    ),
    "Inventory": obj(seller_id=string(), skus=array(ref("SkuStock"))),
    "SetStock": obj(
        ["quantity"],
        quantity=integer(minimum=0, maximum=1_000_000_000),
        fc=nullable(string(pattern=r"^[A-Z0-9]{1,16}$", description="a center code, e.g. BFI4")),
        weight_lb=nullable({"type": "number", "exclusiveMinimum": 0, "maximum": 100_000}),
        dimensions_in=nullable(
            string(
                pattern=r"^[0-9]{1,4}(\.[0-9]{1,2})?x[0-9]{1,4}(\.[0-9]{1,2})?x[0-9]{1,4}(\.[0-9]{1,2})?$",
                description="LxWxH in inches, e.g. 12x8x4",
            )
        ),
        category=nullable(string(enum=sorted(CATEGORY_CODES))),
    ),
    "ImportSummary": obj(rows=integer(), sellers=integer(), skus=integer(), units=integer()),
    # ------------------------------------------------------------------------------------------------ orders
    "OrderSummary": obj(
        seller_id=string(),
        order_id=string(),
        marketplace_id=string(),
        displayable_order_id=string(),
        status=string(enum=list(ORDER_STATUSES)),
        shipping_speed=string(),
        received_at=INSTANT,
        status_updated_at=INSTANT,
    ),
    "OrderPage": obj(
        orders=array(ref("OrderSummary")),
        next=nullable(string(description="pass as cursor for the next page; null on the last page")),
    ),
    "TrackingEvent": obj(at=INSTANT, code=string(), city=string(), state=string(), country=string()),
    "Tracking": obj(
        current_status=string(),
        ship_date=nullable(INSTANT),
        estimated_arrival=nullable(INSTANT),
        signed_for_by=string(),
        events=array(ref("TrackingEvent"), description="oldest first, as visible at the service clock's now"),
    ),
    "Package": obj(
        package_number=integer(),
        carrier_code=string(),
        tracking_number=nullable(string()),
        estimated_arrival_at=nullable(INSTANT),
        tracking=ref("Tracking"),
    ),
    "ShipmentItem": obj(item_id=string(), sku=string(), quantity=integer(), package_number=nullable(integer())),
    "Shipment": obj(
        shipment_id=string(),
        fc=string(),
        status=string(),
        shipping_at=nullable(INSTANT),
        estimated_arrival_at=nullable(INSTANT),
        items=array(ref("ShipmentItem")),
        packages=array(ref("Package")),
    ),
    "OrderLine": obj(
        item_id=string(),
        sku=string(),
        quantity=integer(),
        cancelled_quantity=integer(),
        unfulfillable_quantity=integer(),
        estimated_ship_at=nullable(INSTANT),
        estimated_arrival_at=nullable(INSTANT),
    ),
    "ReturnItem": obj(
        return_item_id=string(),
        item_id=string(),
        shipment_id=string(),
        reason_code=string(),
        status=string(),
        status_changed_at=INSTANT,
        authorization_id=string(),
        received_condition=nullable(string()),
        amazon_reason_code=nullable(string()),
        fc=nullable(string()),
    ),
    "ReturnAuthorization": obj(
        authorization_id=string(),
        fc=string(),
        rma_id=string(),
        rma_url=string(),
        address={"type": "object", "additionalProperties": {"type": "string"}},
    ),
    "Order": obj(
        seller_id=string(),
        order_id=string(),
        marketplace_id=string(),
        displayable_order_id=string(),
        displayable_order_at=INSTANT,
        status=string(enum=list(ORDER_STATUSES)),
        shipping_speed=string(enum=list(SPEEDS)),
        fulfillment_action=string(),
        fulfillment_policy=string(),
        received_at=INSTANT,
        status_updated_at=INSTANT,
        time_zone=string(description="the marketplace's time zone, for showing local dates"),
        destination={"type": "object", "additionalProperties": {"type": "string"}},
        items=array(ref("OrderLine")),
        shipments=array(ref("Shipment")),
        returns=array(ref("ReturnItem")),
        return_authorizations=array(ref("ReturnAuthorization")),
    ),
    # ----------------------------------------------------------------------------------------- SP-API credentials
    "NewLwaApp": obj(
        [],
        clientId=nullable(string(pattern=r"^[!-~]{1,512}$")),
        clientSecret=nullable(string(pattern=r"^[!-~]{1,512}$")),
        name=nullable(string(pattern=r"^[^\x00]{0,200}$")),
    ),
    "LwaAppAdded": obj(
        ["clientId", "created"],
        clientId=string(),
        created={"type": "boolean"},
        clientSecret=string(description="only when generated or given now"),
    ),
    "LwaApp": obj(
        ["clientId", "createdAt", "authorizations"],
        clientId=string(),
        createdAt=INSTANT,
        authorizations=integer(minimum=0),
        name=string(),
    ),
    "LwaAppList": obj(apps=array(ref("LwaApp"))),
    "NewAuthorization": obj(
        ["clientId"],
        clientId=string(pattern=r"^[!-~]{1,512}$"),
        refreshToken=nullable(string(pattern=r"^[!-~]{1,512}$")),
    ),
    "Authorization": obj(id=integer(), clientId=string(), refreshToken=string(description="shown this once")),
    "Revoked": obj(revoked={"type": "boolean"}),
    "Credentials": obj(
        sellerId=string(),
        mwsKeys=array(obj(accessKey=string(), authTokenRequired={"type": "boolean"})),
        lwaAuthorizations=array(
            obj(
                id=integer(),
                clientId=string(),
                refreshToken=string(description="masked"),
                createdAt=INSTANT,
                revoked={"type": "boolean"},
            )
        ),
    ),
    # ------------------------------------------------------------------------------------------------ features
    "Enrolment": obj(
        features={
            "type": "object",
            "minProperties": 1,
            "maxProperties": 20,
            "additionalProperties": {"type": "boolean"},
            "description": "feature name → true (enrol) or false (withdraw)",
        }
    ),
    "EnrolmentResult": obj(
        sellerId=string(),
        marketplaceId=string(),
        features=array(obj(featureName=string(), sellerEligible={"type": "boolean"})),
    ),
    "Eligibility": obj(eligible={"type": "boolean"}),
    "EligibilityResult": obj(sellerId=string(), sellerSku=string(), featureName=string(), eligible={"type": "boolean"}),
    # ------------------------------------------------------------------------------------------------ notifications
    "NewSubscription": obj(
        ["sellerId", "notificationType"],
        sellerId=SELLER_ID,
        notificationType=string(enum=list(NOTIFICATION_TYPES)),
        sqs=nullable({**DESTINATION, "description": "a queue's ARN (arn:aws:sqs:REGION:ACCOUNT:NAME) or URL"}),
        webhook=nullable({**DESTINATION, "description": "an http(s) URL"}),
        secret=nullable({**SECRET, "description": "a webhook's signing key (1-256 printable ASCII, no spaces)"}),
        format=nullable(
            string(enum=list(notifications.FORMATS), description="the body: SP-API's JSON (default) or MWS's XML")
        ),
    )
    | {"description": "exactly one of sqs and webhook; a secret only with webhook"},
    "Subscription": obj(
        subscriptionId=string(),
        sellerId=string(),
        notificationType=string(),
        payloadVersion=string(),
        clientId=nullable(string(description="the SP-API application's; null for the operator's")),
        destination=obj(
            destinationId=string(),
            kind=string(enum=list(notifications.KINDS)),
            target=string(),
            format=string(enum=list(notifications.FORMATS)),
            signed={"type": "boolean"},
        ),
        createdAt=INSTANT,
    ),
    "SubscriptionList": obj(subscriptions=array(ref("Subscription"))),
    "Delivery": obj(
        id=integer(),
        notificationId=string(),
        subscriptionId=string(),
        sellerId=string(),
        notificationType=string(),
        eventType=string(),
        eventTime=INSTANT,
        sellerFulfillmentOrderId=string(),
        orderStatus=nullable(string()),
        shipmentStatus=nullable(string()),
        state=string(enum=list(notifications.STATES)),
        attempts=integer(minimum=0),
        lastError=nullable(string()),
        createdAt=INSTANT,
        deliveredAt=nullable(INSTANT),
        nextAttemptAt=nullable({**INSTANT, "description": "while pending: not before"}),
    ),
    "DeliveryList": obj(deliveries=array(ref("Delivery"))),
    "Outbox": obj(
        outbox={
            "type": "object",
            "additionalProperties": integer(minimum=0),
            "description": "state → notifications in it (states with none left out)",
        }
    ),
}
