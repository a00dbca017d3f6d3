"""``outbound notifications subscribe|list|unsubscribe|log`` and ``outbound notify`` (the delivery loop alone).

Registered on the main command group by ``cli.py`` (:func:`register`).
"""

from __future__ import annotations

import contextlib

import click
from rich.console import Console
from rich.table import Table

from outbound.domain.errors import InvalidValue
from outbound.domain.notices import TYPES
from outbound.service import notifications as service
from outbound.store import Database

console = Console()

db_option = click.option(
    "--db", "db_url", envvar="OUTBOUND_DATABASE_URL", default=None, help="Database URL (default ./outbound.db)."
)


def _open(db_url: str | None) -> Database:
    from outbound.cli import open_db  # at call time: cli.py imports this module to register the commands

    return open_db(db_url)


def _refused(exc: InvalidValue) -> click.ClickException:
    reason = f": {exc.reason}" if exc.reason else ""
    return click.ClickException(f"invalid {exc.field} {exc.value!r}{reason}")


@click.group("notifications")
def notifications() -> None:
    """Subscriptions to order, shipment and return notifications (SQS queues, webhooks)."""


@notifications.command("subscribe")
@click.argument("seller_id")
@click.argument("notification_type", metavar="TYPE", type=click.Choice(TYPES))
@click.option("--sqs", "sqs", default=None, metavar="QUEUE_URL_OR_ARN", help="Deliver to this SQS queue.")
@click.option("--webhook", "webhook", default=None, metavar="URL", help="POST to this URL.")
@click.option("--secret", default=None, help="A webhook's signing secret (X-Outbound-Signature).")
@click.option("--format", "fmt", type=click.Choice(service.FORMATS), default="json", show_default=True)
@db_option
def subscribe(
    seller_id: str,
    notification_type: str,
    sqs: str | None,
    webhook: str | None,
    secret: str | None,
    fmt: str,
    db_url: str | None,
) -> None:
    """Subscribe SELLER_ID to TYPE, delivered to --sqs or --webhook."""
    if (sqs is None) == (webhook is None):
        raise click.UsageError("give one of --sqs or --webhook")
    kind, target = ("sqs", sqs) if sqs is not None else ("webhook", webhook)
    assert target is not None
    try:
        made = service.subscribe(_open(db_url), seller_id, notification_type, kind, target, secret=secret, format=fmt)
    except InvalidValue as exc:
        raise _refused(exc) from None
    console.print(
        f"subscription {made.subscription.subscription_id}: {notification_type} of {seller_id} → {kind} {target}"
    )


@notifications.command("list")
@click.argument("seller_id", required=False)
@db_option
def listing(seller_id: str | None, db_url: str | None) -> None:
    """Subscriptions (of one seller, or all)."""
    table = Table("subscription", "seller", "type", "destination", "format", "application")
    for found in service.listing(_open(db_url), seller_id):
        sub, to = found.subscription, found.destination
        table.add_row(
            sub.subscription_id,
            sub.seller_id,
            sub.notification_type,
            f"{to.kind} {to.target}",
            to.format,
            sub.client_id or "",
        )
    console.print(table)


@notifications.command("unsubscribe")
@click.argument("subscription_id")
@db_option
def unsubscribe(subscription_id: str, db_url: str | None) -> None:
    """Remove a subscription (its undelivered notifications are dropped)."""
    try:
        service.unsubscribe(_open(db_url), subscription_id)
    except service.NotFound as exc:
        raise click.ClickException(exc.message) from None
    console.print(f"subscription {subscription_id} removed")


@notifications.command("log")
@click.option("--seller", "seller_id", default=None)
@click.option("--state", type=click.Choice(("pending", "delivered", "dropped")), default=None)
@click.option("--limit", type=click.IntRange(1, 1000), default=50, show_default=True)
@db_option
def delivery_log(seller_id: str | None, state: str | None, limit: int, db_url: str | None) -> None:
    """The delivery log: each notification, its state, attempts and last error."""
    table = Table("id", "seller", "order", "event", "status", "state", "attempts", "last error")
    for e in service.delivery_log(_open(db_url), seller_id=seller_id, state=state, limit=limit):
        status = e.shipment_status if e.event_type == "Shipment" else e.order_status
        table.add_row(
            str(e.id),
            e.seller_id,
            e.seller_order_id,
            e.event_type,
            status or "",
            e.state,
            str(e.attempts),
            e.last_error or "",
        )
    console.print(table)


@click.command("notify")
@db_option
def notify(db_url: str | None) -> None:
    """Deliver notifications (alone; `outbound serve` and `outbound worker` also do). Several may run at once."""
    db = _open(db_url)
    console.print(f"notification delivery on {db.public_url}")
    runner = service.delivery_runner(db)
    with contextlib.suppress(KeyboardInterrupt):
        runner.run_forever()


def register(main: click.Group) -> None:
    main.add_command(notifications)
    main.add_command(notify)
