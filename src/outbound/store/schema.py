"""The tables, in SQLAlchemy Core: plain typed columns that SQLite and PostgreSQL both store well."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Dialect,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)

from outbound.store import moments


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in and out, whatever the backend keeps (SQLite keeps naive text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return moments.to_bind(value, dialect.name)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        return moments.from_result(value)


metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

sellers = Table(
    "sellers",
    metadata,
    Column("seller_id", String(64), primary_key=True),
    Column("default_marketplace_id", String(32), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

seller_marketplaces = Table(
    "seller_marketplaces",
    metadata,
    Column("seller_id", String(64), ForeignKey("sellers.seller_id", ondelete="CASCADE"), primary_key=True),
    Column("marketplace_id", String(32), primary_key=True),
)

access_keys = Table(
    "access_keys",
    metadata,
    Column("access_key", String(128), primary_key=True),
    Column("secret_key", String(256), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

# A developer key may act for a seller: its own key (no token) or, as in MWS, through an MWSAuthToken.
grants = Table(
    "grants",
    metadata,
    Column("access_key", String(128), ForeignKey("access_keys.access_key", ondelete="CASCADE"), primary_key=True),
    Column("seller_id", String(64), ForeignKey("sellers.seller_id", ondelete="CASCADE"), primary_key=True),
    Column("auth_token", String(256), nullable=True),
)

service_status = Table(
    "service_status",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("status", String(16), nullable=False),
    Column("message_id", String(64), nullable=True),
    Column("message", Text, nullable=True),
    Column("updated_at", UtcDateTime(), nullable=False),
)

# ---------------------------------------------------------------------------------------------------------------
# The catalog and the network's stock

Id = BigInteger().with_variant(Integer, "sqlite")  # SQLite autoincrements only INTEGER PRIMARY KEY

skus = Table(
    "skus",
    metadata,
    Column("seller_id", String(64), ForeignKey("sellers.seller_id", ondelete="CASCADE"), primary_key=True),
    Column("seller_sku", String(50), primary_key=True),
    Column("fnsku", String(20), nullable=False),
    Column("weight_lb", Numeric(10, 3), nullable=False),
    Column("length_in", Numeric(10, 2), nullable=False),
    Column("width_in", Numeric(10, 2), nullable=False),
    Column("height_in", Numeric(10, 2), nullable=False),
    Column("declared_value", Numeric(12, 2), nullable=True),
    Column("category", String(40), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("asin", String(10), nullable=True),  # the catalogue's ASIN when the operator gave one
    Column("stock_changed_at", UtcDateTime(), nullable=True),  # the last stock count or receipt (inventory set)
)

# sellable: free to allocate; reserved: held for open orders until their shipment leaves the center.
inventory = Table(
    "inventory",
    metadata,
    Column("seller_id", String(64), primary_key=True),
    Column("seller_sku", String(50), primary_key=True),
    Column("fc_code", String(16), primary_key=True),
    Column("sellable", Integer, nullable=False),
    Column("reserved", Integer, nullable=False),
    ForeignKeyConstraint(["seller_id", "seller_sku"], ["skus.seller_id", "skus.seller_sku"], ondelete="CASCADE"),
    CheckConstraint("sellable >= 0", name="ck_inventory_sellable"),
    CheckConstraint("reserved >= 0", name="ck_inventory_reserved"),
)

# ---------------------------------------------------------------------------------------------------------------
# Fulfillment orders

orders = Table(
    "orders",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("seller_id", String(64), ForeignKey("sellers.seller_id", ondelete="CASCADE"), nullable=False),
    Column("seller_order_id", String(40), nullable=False),
    Column("marketplace_id", String(32), nullable=False),
    Column("displayable_order_id", String(40), nullable=False),
    Column("displayable_order_at", UtcDateTime(), nullable=False),
    Column("displayable_order_comment", String(1000), nullable=False),
    Column("shipping_speed", String(20), nullable=False),
    Column("delivery_window_start", UtcDateTime(), nullable=True),
    Column("delivery_window_end", UtcDateTime(), nullable=True),
    Column("address", Text, nullable=False),  # JSON: the Address fields as sent
    Column("fulfillment_action", String(8), nullable=False),
    Column("fulfillment_policy", String(20), nullable=False),
    Column("fulfillment_method", String(12), nullable=False),
    Column("cod_settings", Text, nullable=True),  # JSON
    Column("notification_emails", Text, nullable=True),  # JSON list
    Column("ship_from_country_code", String(2), nullable=True),
    Column("received_at", UtcDateTime(), nullable=False),
    Column("status", String(24), nullable=False),
    Column("status_updated_at", UtcDateTime(), nullable=False),
    Column("request_hash", String(64), nullable=False),
    Column("hold_until", UtcDateTime(), nullable=True),
    Column("next_step_at", UtcDateTime(), nullable=True),
    Column("feature_constraints", Text, nullable=True),  # JSON [[name, policy], ...]; none: no constraints
    Column("origin", String(8), nullable=False, server_default="mws"),  # the protocol that created the order
    Column("spapi_inputs", Text, nullable=True),  # JSON: deliveryPreferences, paymentInformation
    UniqueConstraint("seller_id", "seller_order_id", name="uq_orders_seller_order"),
    Index("ix_orders_listing", "seller_id", "status_updated_at", "seller_order_id"),
    Index("ix_orders_next_step", "next_step_at", "id"),  # the engine claims due orders in this order
    # the dashboard's order listing, newest first, with and without its two common filters (migration 0009)
    Index("ix_orders_received", "received_at", "id"),
    Index("ix_orders_seller_received", "seller_id", "received_at", "id"),
    Index("ix_orders_status_received", "status", "received_at", "id"),  # also counts orders by status (metrics)
    Index("ix_orders_seller_status_received", "seller_id", "status", "received_at", "id"),
    Index("ix_orders_seller_order_id", "seller_order_id"),  # search by order id across sellers
)

order_items = Table(
    "order_items",
    metadata,
    Column("order_id", Id, ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True),
    Column("line", Integer, primary_key=True),
    Column("seller_sku", String(50), nullable=False),
    Column("item_id", String(50), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("gift_message", String(512), nullable=True),
    Column("displayable_comment", String(250), nullable=True),
    Column("fnsku", String(20), nullable=True),
    Column("disposition", String(16), nullable=True),
    Column("cancelled_quantity", Integer, nullable=False),
    Column("unfulfillable_quantity", Integer, nullable=False),
    Column("estimated_ship_at", UtcDateTime(), nullable=True),
    Column("estimated_arrival_at", UtcDateTime(), nullable=True),
    Column("money", Text, nullable=True),  # JSON: PerUnitPrice / PerUnitTax / PerUnitDeclaredValue
    Index("ix_order_items_sku", "seller_sku", "order_id"),  # the dashboard's SKU filter
)

# Units held for an order at a center; the plan its shipments are made from.
reservations = Table(
    "reservations",
    metadata,
    Column("order_id", Id, ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True),
    Column("line", Integer, primary_key=True),
    Column("fc_code", String(16), primary_key=True),
    Column("seller_sku", String(50), nullable=False),
    Column("quantity", Integer, nullable=False),
)

shipments = Table(
    "shipments",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("order_id", Id, ForeignKey("orders.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("amazon_shipment_id", String(16), nullable=False, unique=True),
    Column("fc_code", String(16), nullable=False),
    Column("status", String(24), nullable=False),
    Column("shipping_at", UtcDateTime(), nullable=True),
    Column("estimated_arrival_at", UtcDateTime(), nullable=True),
    # the dashboard's charts: shipments per day and per center, read from the index alone
    Index("ix_shipments_shipping", "shipping_at", "status", "fc_code"),
)

shipment_items = Table(
    "shipment_items",
    metadata,
    Column("shipment_id", Id, ForeignKey("shipments.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("seller_sku", String(50), nullable=False),
    Column("item_id", String(50), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("package_number", BigInteger, nullable=True),
)

packages = Table(
    "packages",
    metadata,
    Column("package_number", BigInteger, primary_key=True, autoincrement=False),
    Column("seller_id", String(64), nullable=False, index=True),
    Column("shipment_id", Id, ForeignKey("shipments.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("carrier_code", String(32), nullable=False),
    Column("tracking_number", String(64), nullable=True),
    Column("ship_date", UtcDateTime(), nullable=True),
    Column("estimated_arrival_at", UtcDateTime(), nullable=True),
    Column(
        "journey", Text, nullable=True
    ),  # JSON: what its journey is planned from, or the journey (domain/tracking.py)
    Column("ship_to", Text, nullable=True),  # JSON: City, State, Country of the destination
    Index("ix_packages_tracking_number", "tracking_number"),  # the dashboard's search by tracking number
)

# ---------------------------------------------------------------------------------------------------------------
# Returns (filled by CreateFulfillmentReturn; shown by GetFulfillmentOrder)

return_authorizations = Table(
    "return_authorizations",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("order_id", Id, ForeignKey("orders.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("authorization_id", String(64), nullable=False),
    Column("fc_code", String(16), nullable=False),
    Column("address", Text, nullable=False),  # JSON Address
    Column("rma_id", String(64), nullable=False),
    Column("rma_url", String(512), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Index("ix_return_authorizations_rma_id", "rma_id"),  # the RMA label page finds one by its id
)

return_items = Table(
    "return_items",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("order_id", Id, ForeignKey("orders.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("seller_return_item_id", String(80), nullable=False),
    Column("item_id", String(50), nullable=False),
    Column("amazon_shipment_id", String(16), nullable=False),
    Column("seller_reason_code", String(64), nullable=False),
    Column("comment", String(1000), nullable=True),
    Column("amazon_reason_code", String(64), nullable=True),
    Column("status", String(16), nullable=False),
    Column("status_changed_at", UtcDateTime(), nullable=False),
    Column("authorization_id", String(64), nullable=False),
    Column("received_condition", String(24), nullable=True),
    Column("fc_code", String(16), nullable=True),
    Column("due_at", UtcDateTime(), nullable=True),  # when the unit reaches the returns center
    UniqueConstraint("order_id", "seller_return_item_id", name="uq_return_items_order_return_item"),
    Index("ix_return_items_due_at", "due_at"),
)

# The virtual clock's current instant (``--clock virtual``), kept in the database so server and CLI agree.
sim_clock = Table(
    "sim_clock",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("now", UtcDateTime(), nullable=False),
    # the clock mode ("real" or "virtual") the last server started on this store ran with: the CLI reads it
    Column("mode", String(8), nullable=True),
)

# ---------------------------------------------------------------------------------------------------------------
# The lifecycle: what happened to each order, and the scenarios that steer the simulation

order_events = Table(
    "order_events",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("order_id", Id, ForeignKey("orders.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("at", UtcDateTime(), nullable=False),
    Column("kind", String(32), nullable=False),  # a status, or a shipment event (SHIPPED ...)
    Column("detail", String(200), nullable=True),
)

scenarios = Table(
    "scenarios",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("seller_id", String(64), nullable=False, index=True),
    Column("seller_order_id", String(40), nullable=True),
    Column("kind", String(32), nullable=False),
    Column("params", Text, nullable=False),  # JSON
    Column("remaining", Integer, nullable=True),  # how many more times a fault fires (None: until removed)
    Column("created_at", UtcDateTime(), nullable=False),
)

# ---------------------------------------------------------------------------------------------------------------
# Fulfillment features: a seller's enrolment per marketplace and each SKU's eligibility. Only switches are stored;
# a missing row means on (enrolled where offered, eligible).

feature_enrolments = Table(
    "feature_enrolments",
    metadata,
    Column("seller_id", String(64), ForeignKey("sellers.seller_id", ondelete="CASCADE"), primary_key=True),
    Column("marketplace_id", String(32), primary_key=True),
    Column("feature_name", String(40), primary_key=True),
    Column("enrolled", Boolean, nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

sku_features = Table(
    "sku_features",
    metadata,
    Column("seller_id", String(64), primary_key=True),
    Column("seller_sku", String(50), primary_key=True),
    Column("feature_name", String(40), primary_key=True),
    Column("eligible", Boolean, nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    ForeignKeyConstraint(["seller_id", "seller_sku"], ["skus.seller_id", "skus.seller_sku"], ondelete="CASCADE"),
)

# ---------------------------------------------------------------------------------------------------------------
# SP-API's Login with Amazon: applications (the developer key's role), the refresh tokens that authorize one for a
# seller, and the access tokens exchanged for them. Secrets and tokens are kept as SHA-256 hashes only.

lwa_apps = Table(
    "lwa_apps",
    metadata,
    Column("client_id", String(512), primary_key=True),
    Column("secret_hash", String(64), nullable=False),
    Column("name", String(200), nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
)

lwa_authorizations = Table(
    "lwa_authorizations",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("client_id", String(512), ForeignKey("lwa_apps.client_id", ondelete="CASCADE"), nullable=False),
    Column("seller_id", String(64), ForeignKey("sellers.seller_id", ondelete="CASCADE"), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("token_hint", String(16), nullable=False),  # the last characters, for masked display
    Column("created_at", UtcDateTime(), nullable=False),
    Column("revoked_at", UtcDateTime(), nullable=True),
    Index("ix_lwa_authorizations_seller", "seller_id", "client_id"),
)

lwa_access_tokens = Table(
    "lwa_access_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("client_id", String(512), ForeignKey("lwa_apps.client_id", ondelete="CASCADE"), nullable=False),
    Column(
        "authorization_id", Id, ForeignKey("lwa_authorizations.id", ondelete="CASCADE"), nullable=True, index=True
    ),  # none for a grantless (client_credentials) token
    Column("expires_at", UtcDateTime(), nullable=False, index=True),
    Column("scope", String(512), nullable=True),  # a grantless token's scopes, space-separated
)

# ---------------------------------------------------------------------------------------------------------------
# Notifications: where they go (destinations), who asked for which (subscriptions), and the transactional outbox:
# one row per change and subscription, written in the transaction that makes the change, delivered afterwards.

notification_destinations = Table(
    "notification_destinations",
    metadata,
    Column("destination_id", String(64), primary_key=True),
    Column("client_id", String(512), nullable=True),  # the LWA application that made it; none: made by the operator
    Column("name", String(256), nullable=False),
    Column("kind", String(8), nullable=False),  # sqs, webhook
    Column("target", String(1024), nullable=False),  # a queue's ARN or URL, a webhook's URL
    Column("secret", String(256), nullable=True),  # a webhook's signing key (it must be read back to sign)
    Column("format", String(8), nullable=False),  # json (SP-API), mws-xml (MWS's Notification envelope)
    Column("created_at", UtcDateTime(), nullable=False),
)

notification_subscriptions = Table(
    "notification_subscriptions",
    metadata,
    Column("subscription_id", String(64), primary_key=True),
    Column("seller_id", String(64), nullable=False, index=True),
    Column("client_id", String(512), nullable=True),
    Column("notification_type", String(40), nullable=False),
    Column("payload_version", String(8), nullable=False),
    Column(
        "destination_id",
        String(64),
        ForeignKey(
            "notification_destinations.destination_id", ondelete="CASCADE", name="fk_notification_subscriptions_dest"
        ),
        nullable=False,
    ),
    Column("created_at", UtcDateTime(), nullable=False),
)

notification_outbox = Table(
    "notification_outbox",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("subscription_id", String(64), nullable=False),
    Column("seller_id", String(64), nullable=False),
    Column("order_id", Id, nullable=False),  # the lane: one order's notifications go out one after another
    Column("notification_type", String(40), nullable=False),
    Column("event_type", String(16), nullable=False),  # Order, Shipment, Return; Created, Cancelled
    Column("event_at", UtcDateTime(), nullable=False),  # the service clock's time of the change
    Column("seller_order_id", String(40), nullable=False),
    Column("order_status", String(24), nullable=True),
    Column("amazon_shipment_id", String(16), nullable=True),
    Column("shipment_status", String(24), nullable=True),
    Column("estimated_arrival_at", UtcDateTime(), nullable=True),
    Column("seller_sku", String(50), nullable=True),
    Column("quantity", Integer, nullable=True),
    Column("notification_id", String(36), nullable=False),
    Column("state", String(10), nullable=False),  # pending, delivered, dropped (its subscription was deleted)
    Column("attempts", Integer, nullable=False),
    Column("available_at", UtcDateTime(), nullable=False),  # wall clock: not before (back-off after a failure)
    Column("lease_until", UtcDateTime(), nullable=True),  # wall clock: a deliverer holds it until then
    Column("last_error", String(500), nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("delivered_at", UtcDateTime(), nullable=True),
    Index("ix_notification_outbox_state", "state", "id"),
    Index("ix_notification_outbox_lane", "subscription_id", "order_id", "state", "id"),
)
