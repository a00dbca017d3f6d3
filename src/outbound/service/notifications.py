"""Notification subscriptions and their delivery: destinations (an SQS queue, a webhook), subscriptions of a seller
to a notification type, the delivery log, and the delivery loop's runner.

SP-API's Notifications API acts per LWA application: destinations belong to the application that made them (with
a grantless token), subscriptions to a seller and an application (with the seller's token). An operator (admin API,
CLI) subscribes a seller directly: a destination and a subscription made together, owned by no application.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from outbound.domain.errors import DomainError, InvalidValue
from outbound.domain.notices import TYPES
from outbound.notify import deliverer, sinks
from outbound.service.lwa import Refusal, digest
from outbound.store import Database
from outbound.store import lwa as lwa_store
from outbound.store import notifications as store
from outbound.store.notifications import Destination, LogEntry, Subscription

FORMATS = ("json", "mws-xml")
KINDS = ("sqs", "webhook")
STATES = (store.PENDING, store.DELIVERED, store.DROPPED)  # a delivery's, in the log
PAYLOAD_VERSION = "1.0"
GRANTLESS_SCOPE = "sellingpartnerapi::notifications"

__all__ = ["Destination", "LogEntry", "Subscription"]


class NotFound(DomainError):
    def __init__(self, what: str, ident: str) -> None:
        super().__init__(f"{what} {ident} not found.")
        self.message = f"{what} {ident} not found."


class Conflict(DomainError):
    def __init__(self, message: str, existing: str) -> None:
        super().__init__(message)
        self.message = message
        self.existing = existing


def check_type(notification_type: str) -> str:
    if notification_type not in TYPES:
        raise InvalidValue("notificationType", notification_type, f"one of {', '.join(TYPES)}")
    return notification_type


def check_target(kind: str, target: str) -> str:
    """An SQS queue's ARN (``arn:aws:sqs:REGION:ACCOUNT:NAME``) or URL; a webhook's http(s) URL."""
    target = target.strip()
    url = urlsplit(target)
    is_url = url.scheme in ("http", "https") and bool(url.netloc)
    if kind == "sqs" and (sinks.parse_arn(target) is not None or is_url):
        return target
    if kind == "webhook" and is_url:
        return target
    what = "an SQS queue ARN (arn:aws:sqs:REGION:ACCOUNT:NAME) or URL" if kind == "sqs" else "an http(s) URL"
    raise InvalidValue("destination", target, f"expected {what}")


# ----------------------------------------------------------------------------------------- SP-API: destinations


def create_destination(db: Database, client_id: str | None, name: str, sqs_arn: str) -> Destination:
    name = name.strip()
    if not name or len(name) > 256:
        raise InvalidValue("name", name, "1 to 256 characters")
    if sinks.parse_arn(sqs_arn) is None:
        raise InvalidValue("resourceSpecification.sqs.arn", sqs_arn, "expected arn:aws:sqs:REGION:ACCOUNT:NAME")
    made = Destination(str(uuid.uuid4()), client_id, name, "sqs", sqs_arn, None, "json", datetime.now(UTC))
    with db.transaction() as conn:
        for existing in store.list_destinations(conn, client_id):
            if existing.kind == "sqs" and existing.target == sqs_arn:
                raise Conflict("A destination with this resource already exists.", existing.destination_id)
        store.insert_destination(conn, made)
    return made


def destinations(db: Database, client_id: str | None) -> list[Destination]:
    with db.read() as conn:
        return store.list_destinations(conn, client_id)


def destination(db: Database, client_id: str | None, destination_id: str) -> Destination:
    with db.read() as conn:
        found = store.load_destination(conn, destination_id)
    if found is None or found.client_id != client_id:
        raise NotFound("Destination", destination_id)
    return found


def delete_destination(db: Database, client_id: str | None, destination_id: str) -> None:
    with db.transaction() as conn:
        found = store.load_destination(conn, destination_id)
        if found is None or found.client_id != client_id:
            raise NotFound("Destination", destination_id)
        store.delete_destination(conn, destination_id)


# ----------------------------------------------------------------------------------------- SP-API: subscriptions


def create_subscription(
    db: Database, seller_id: str, client_id: str, notification_type: str, destination_id: str, payload_version: str
) -> Subscription:
    check_type(notification_type)
    if payload_version != PAYLOAD_VERSION:
        raise InvalidValue("payloadVersion", payload_version, f"only {PAYLOAD_VERSION} is offered")
    made = Subscription(
        str(uuid.uuid4()), seller_id, client_id, notification_type, payload_version, destination_id, datetime.now(UTC)
    )
    with db.transaction() as conn:
        target = store.load_destination(conn, destination_id)
        if target is None or target.client_id != client_id:
            raise NotFound("Destination", destination_id)
        existing = store.list_subscriptions(
            conn, seller_id=seller_id, client_id=client_id, notification_type=notification_type, app_only=True
        )
        if existing:
            raise Conflict("A subscription for this notification type already exists.", existing[0].subscription_id)
        store.insert_subscription(conn, made)
    return made


def subscription(db: Database, seller_id: str, client_id: str, notification_type: str) -> Subscription:
    check_type(notification_type)
    with db.read() as conn:
        found = store.list_subscriptions(
            conn, seller_id=seller_id, client_id=client_id, notification_type=notification_type, app_only=True
        )
    if not found:
        raise NotFound("Subscription for", notification_type)
    return found[0]


def subscription_by_id(
    db: Database, client_id: str | None, notification_type: str, subscription_id: str
) -> Subscription:
    check_type(notification_type)
    with db.read() as conn:
        found = store.load_subscription(conn, subscription_id)
    if found is None or found.client_id != client_id or found.notification_type != notification_type:
        raise NotFound("Subscription", subscription_id)
    return found


def delete_subscription_by_id(
    db: Database, client_id: str | None, notification_type: str, subscription_id: str
) -> None:
    check_type(notification_type)
    with db.transaction() as conn:
        found = store.load_subscription(conn, subscription_id)
        if found is None or found.client_id != client_id or found.notification_type != notification_type:
            raise NotFound("Subscription", subscription_id)
        store.delete_subscription(conn, subscription_id)


# ----------------------------------------------------------------------------------------- operator


@dataclass(frozen=True)
class Subscribed:
    subscription: Subscription
    destination: Destination


def subscribe(
    db: Database,
    seller_id: str,
    notification_type: str,
    kind: str,
    target: str,
    *,
    secret: str | None = None,
    format: str = "json",
) -> Subscribed:
    """The operator's subscription of a seller: a destination of its own and the subscription, in one go."""
    check_type(notification_type)
    if kind not in KINDS:
        raise InvalidValue("kind", kind, "sqs or webhook")
    if format not in FORMATS:
        raise InvalidValue("format", format, "json or mws-xml")
    target = check_target(kind, target)
    if secret is not None and (kind != "webhook" or not secret or len(secret) > 256):
        raise InvalidValue("secret", "…", "a webhook's secret, 1 to 256 characters")
    now = datetime.now(UTC)
    made = Destination(str(uuid.uuid4()), None, f"{kind} {target}"[:256], kind, target, secret, format, now)
    sub = Subscription(str(uuid.uuid4()), seller_id, None, notification_type, PAYLOAD_VERSION, made.destination_id, now)
    with db.transaction() as conn:
        if not lwa_store.seller_exists(conn, seller_id):
            raise InvalidValue("SellerId", seller_id, "no such seller")
        store.insert_destination(conn, made)
        store.insert_subscription(conn, sub)
    return Subscribed(sub, made)


def listing(db: Database, seller_id: str | None = None) -> list[Subscribed]:
    with db.read() as conn:
        subs = store.list_subscriptions(conn, seller_id=seller_id)
        found = {d.destination_id: d for d in store.list_destinations(conn, every=True)}
    return [Subscribed(s, found[s.destination_id]) for s in subs if s.destination_id in found]


def unsubscribe(db: Database, subscription_id: str) -> None:
    """Any subscription (the operator's word); a destination the operator made goes with its last subscription."""
    with db.transaction() as conn:
        found = store.load_subscription(conn, subscription_id)
        if found is None:
            raise NotFound("Subscription", subscription_id)
        store.delete_subscription(conn, subscription_id)
        target = store.load_destination(conn, found.destination_id)
        orphan = target is not None and target.client_id is None
        if orphan and not store.list_subscriptions(conn, destination_id=found.destination_id):
            store.delete_destination(conn, found.destination_id)


def delivery_log(
    db: Database,
    *,
    seller_id: str | None = None,
    subscription_id: str | None = None,
    state: str | None = None,
    after: int = 0,
    limit: int = 100,
) -> list[LogEntry]:
    if state is not None and state not in STATES:
        raise InvalidValue("state", state, "pending, delivered or dropped")
    with db.read() as conn:
        return store.log(
            conn, seller_id=seller_id, subscription_id=subscription_id, state=state, after=after, limit=min(limit, 1000)
        )


def outbox_counts(db: Database) -> dict[str, int]:
    with db.read() as conn:
        return store.counts(conn)


def delivery_runner(db: Database) -> deliverer.Runner:
    """The delivery loop (settings from ``OUTBOUND_NOTIFY_*`` and ``OUTBOUND_SQS_*``), not started."""
    return deliverer.Runner(deliverer.Deliverer(db))


def grantless_application(db: Database, access_token: str | None) -> str | Refusal:
    """The LWA application a grantless (``client_credentials``) access token acts for, or why it may not act."""
    token = (access_token or "").strip()
    if not token:
        return Refusal.MISSING
    if len(token) > 2048:
        return Refusal.INVALID
    with db.read(snapshot=False) as conn:
        owner = lwa_store.token_owner(conn, digest(token))
    if owner is None or owner.revoked:
        return Refusal.INVALID
    if owner.expires_at <= datetime.now(UTC):
        return Refusal.EXPIRED
    if not owner.grantless or GRANTLESS_SCOPE not in owner.scopes:
        return Refusal.NOT_AUTHORIZED  # a seller's token, or one granted for another API's grantless operations
    return owner.client_id
