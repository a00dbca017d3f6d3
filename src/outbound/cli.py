"""The ``outbound`` command line: serve, sellers, service status.

Every command takes ``--db URL`` (or ``OUTBOUND_DATABASE_URL``; default ``./outbound.db``) and brings the schema up
to date before it works, so a fresh machine needs no separate setup step.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import click
from rich.console import Console

from outbound.config import CLOCKS, Settings
from outbound.service import accounts, status
from outbound.store import Database

console = Console()
SERVERS = ("granian", "uvicorn")
DEFAULT_SERVER = "granian"

db_option = click.option(
    "--db",
    "db_url",
    envvar="OUTBOUND_DATABASE_URL",
    default=None,
    help="Database URL (default ./outbound.db).",
)


def open_db(db_url: str | None) -> Database:
    db = Database(Settings.from_env().with_(database_url=db_url).database_url)
    db.migrate()
    return db


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="outbound")
def main() -> None:
    """Outbound: a self-hosted Amazon MWS Fulfillment Outbound Shipment API."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@db_option
@click.option("--clock", type=click.Choice(CLOCKS), default=None, help="Service clock (default real).")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64))
@click.option("--redis", "redis_url", envvar="OUTBOUND_REDIS_URL", default=None, help="Shared throttling.")
@click.option("--throttle", type=click.Choice(["on", "off"]), default=None, help="Throttling (default on).")
@click.option("--server", type=click.Choice(SERVERS), default=DEFAULT_SERVER, show_default=True)
def serve(
    host: str,
    port: int,
    db_url: str | None,
    clock: str | None,
    workers: int,
    redis_url: str | None,
    throttle: str | None,
    server: str,
) -> None:
    """Run the MWS endpoint at http://HOST:PORT/FulfillmentOutboundShipment/2010-10-01."""
    settings = Settings.from_env().with_(
        database_url=db_url,
        clock=clock,
        redis_url=redis_url,
        throttle=None if throttle is None else throttle == "on",
    )
    open_db(settings.database_url).dispose()
    os.environ.update(settings.to_env())  # worker processes build their app from the environment
    console.print(
        f"[bold]Outbound[/] on http://{host}:{port}/FulfillmentOutboundShipment/2010-10-01 "
        f"({server}, {workers} worker(s), clock {settings.clock}, throttle {'on' if settings.throttle else 'off'})"
    )
    run_server(server, host, port, workers)


def run_server(server: str, host: str, port: int, workers: int) -> None:
    target = "outbound.app:create_app"
    if server == "granian":
        from granian import Granian
        from granian.constants import Interfaces

        Granian(target, address=host, port=port, interface=Interfaces.ASGI, workers=workers, factory=True).serve()
        return
    import uvicorn

    options: dict[str, Any] = {"date_header": False, "server_header": False, "log_level": "warning"}
    uvicorn.run(target, host=host, port=port, workers=workers, factory=True, **options)


@main.group()
def seller() -> None:
    """Sellers and the access keys that act for them."""


@seller.command("add")
@click.argument("seller_id")
@click.option("--access-key", required=True)
@click.option("--secret-key", required=True)
@click.option("--auth-token", default=None, help="MWSAuthToken this key must present for the seller.")
@click.option("--marketplace", "marketplaces", multiple=True, help="MarketplaceId (repeatable; first is home).")
@db_option
def seller_add(
    seller_id: str,
    access_key: str,
    secret_key: str,
    auth_token: str | None,
    marketplaces: tuple[str, ...],
    db_url: str | None,
) -> None:
    """Create or update SELLER_ID and grant an access key to act for it (idempotent)."""
    from outbound.domain.world import WORLD

    for marketplace_id in marketplaces:
        if marketplace_id not in WORLD.marketplaces:
            raise click.BadParameter(f"unknown MarketplaceId {marketplace_id}", param_hint="--marketplace")
    db = open_db(db_url)
    accounts.add_seller(db, seller_id, access_key, secret_key, auth_token, list(marketplaces) or None)
    console.print(f"seller [bold]{seller_id}[/] can be called with access key [bold]{access_key}[/]")


@main.group("service-status")
def service_status() -> None:
    """What GetServiceStatus reports."""


@service_status.command("set")
@click.argument("value", type=click.Choice(status.STATUSES))
@click.option("--message", default=None, help="Message sent with a non-GREEN status.")
@db_option
def service_status_set(value: str, message: str | None, db_url: str | None) -> None:
    """Set the status to GREEN, GREEN_I, YELLOW or RED."""
    if value == "GREEN_I":
        console.print("[yellow]note:[/] some clients (ScaleLeap's SDK) accept only GREEN, YELLOW and RED")
    result = status.set_service_status(open_db(db_url), value, message)
    console.print(f"service status is [bold]{result.status}[/]" + (f": {message}" if message else ""))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
