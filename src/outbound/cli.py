"""The ``outbound`` command line: serve, sellers, service status.

Every command takes ``--db URL`` (or ``OUTBOUND_DATABASE_URL``; default ``./outbound.db``) and brings the schema up
to date before it works, so a fresh machine needs no separate setup step.
"""

from __future__ import annotations

import contextlib
import os
import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from outbound import cli_errors, cli_features, cli_notifications, cli_ops, cli_spapi, serving
from outbound import cli_views as views
from outbound.config import CLOCKS, LOG_FORMATS, LOG_LEVELS, Settings, parse_rates
from outbound.domain.errors import InvalidValue
from outbound.domain.returns import CATEGORY_CODES
from outbound.mws.params import parse_datetime
from outbound.service import accounts, notifications, order_views, scenarios, simulation, status
from outbound.service import inventory as stock
from outbound.service import orders as order_service
from outbound.spapi import operations as spapi_operations
from outbound.store import Database

console = Console()
SERVERS = ("granian", "uvicorn")
DEFAULT_SERVER = "uvicorn"

db_option = click.option(
    "--db",
    "db_url",
    envvar="OUTBOUND_DATABASE_URL",
    default=None,
    help="Database URL (default ./outbound.db).",
)


def open_db(db_url: str | None) -> Database:
    url = Settings.from_env().with_(database_url=db_url).database_url
    cli_errors.check_database(url)
    db = Database(url)
    db.migrate()
    cli_ops.say_store(db)
    return db


@click.group(cls=cli_errors.OutboundGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="outbound")
@click.option("--debug", is_flag=True, help="Show the traceback of an error (default: one line).")
def main(debug: bool) -> None:
    """Outbound: a self-hosted Amazon MWS Fulfillment Outbound Shipment API."""


main.add_command(cli_features.feature)


def _rates(text: str) -> tuple[tuple[str, float, int], ...]:
    try:
        rates = parse_rates(text)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--spapi-rates") from None
    unknown = sorted({name for name, _, _ in rates} - {op.name for op in spapi_operations.ALL})
    if unknown:
        raise click.BadParameter(f"unknown SP-API operation(s): {', '.join(unknown)}", param_hint="--spapi-rates")
    return rates


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@db_option
@click.option("--clock", type=click.Choice(CLOCKS), default=None, help="Service clock (default real).")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64))
@click.option("--redis", "redis_url", envvar="OUTBOUND_REDIS_URL", default=None, help="Shared throttling.")
@click.option("--throttle", type=click.Choice(["on", "off"]), default=None, help="Throttling (default on).")
@click.option("--server", type=click.Choice(SERVERS), default=DEFAULT_SERVER, show_default=True)
@click.option("--spapi", type=click.Choice(["on", "off"]), default=None, help="Serve SP-API too (default on).")
@click.option("--lwa-token-ttl", type=click.IntRange(1), default=None, help="LWA access token lifetime, seconds.")
@click.option("--spapi-quota-multiplier", type=click.FloatRange(min=0, min_open=True), default=None)
@click.option("--sandbox-operations", type=click.Choice(["on", "off"]), default=None, help="Default off.")
@click.option("--public-url", default=None, help="How clients reach this service.")
@click.option(
    "--spapi-rates",
    default=None,
    metavar="OP=RATE/BURST,...",
    help="Per-operation SP-API rate and burst, e.g. getFulfillmentOrder=5/30,deliveryOffers=10/30.",
)
@click.option("--demo", is_flag=True, help="Load the demo into an empty store first (implies --clock virtual).")
@click.option("--log-format", type=click.Choice(LOG_FORMATS), default=None, help="Log lines as text or JSON.")
@click.option(
    "--log-level",
    type=click.Choice(LOG_LEVELS),
    default=None,
    help="Default warning; info adds an access line per request.",
)
def serve(
    host: str,
    port: int,
    db_url: str | None,
    clock: str | None,
    workers: int,
    redis_url: str | None,
    throttle: str | None,
    server: str,
    spapi: str | None,
    lwa_token_ttl: int | None,
    spapi_quota_multiplier: float | None,
    sandbox_operations: str | None,
    public_url: str | None,
    spapi_rates: str | None,
    demo: bool,
    log_format: str | None,
    log_level: str | None,
) -> None:
    """Run MWS at http://HOST:PORT/FulfillmentOutboundShipment/2010-10-01 and SP-API at /fba/outbound/2020-07-01."""
    settings = Settings.from_env().with_(
        database_url=db_url,
        clock="virtual" if demo else clock,
        redis_url=redis_url,
        throttle=None if throttle is None else throttle == "on",
        spapi=None if spapi is None else spapi == "on",
        lwa_token_ttl=lwa_token_ttl,
        spapi_quota_multiplier=spapi_quota_multiplier,
        sandbox_operations=None if sandbox_operations is None else sandbox_operations == "on",
        public_url=public_url,
        log_format=log_format,
        log_level=log_level,
        spapi_rates=None if spapi_rates is None else _rates(spapi_rates),
    )
    if demo and clock == "real":
        raise click.UsageError("--demo runs on the virtual clock; leave out --clock real")
    cli_errors.check_redis(settings.redis_url)
    cli_errors.check_port(host, port)
    db = open_db(settings.database_url)
    try:
        banner = serving.prepare(db, settings, server=server, host=host, port=port, workers=workers, demo=demo)
    finally:
        db.dispose()
    os.environ.update(settings.to_env())  # worker processes build their app from the environment
    console.print(banner, highlight=False, soft_wrap=True)
    run_server(server, host, port, workers)


def run_server(server: str, host: str, port: int, workers: int) -> None:
    target = "outbound.app:create_app"
    if server == "granian":
        from granian import Granian
        from granian.constants import Interfaces

        Granian(target, address=host, port=port, interface=Interfaces.ASGI, workers=workers, factory=True).serve()
        return
    import uvicorn

    from outbound import reuseport

    options: dict[str, Any] = {"date_header": False, "server_header": False, "log_level": "warning"}
    if workers > 1 and reuseport.available():  # a socket each: uvicorn's shared one can leave a worker idle
        reuseport.serve(target, host, port, workers, options)
        return
    uvicorn.run(target, host=host, port=port, workers=workers, factory=True, **options)


for _command in cli_ops.COMMANDS:
    main.add_command(_command)


@main.group()
def seller() -> None:
    """Sellers and the access keys that act for them."""


@seller.command("add")
@click.argument("seller_id")
@click.option("--access-key", required=True)
@click.option(
    "--secret-key",
    envvar="OUTBOUND_SECRET_KEY",
    default=None,
    help="The key's secret; - reads it from standard input (or set OUTBOUND_SECRET_KEY).",
)
@click.option("--auth-token", default=None, help="MWSAuthToken this key must present for the seller.")
@click.option("--marketplace", "marketplaces", multiple=True, help="MarketplaceId (repeatable; first is home).")
@click.option("--lwa-client-id", default=None, help="Also authorize this LWA application for the seller (SP-API).")
@click.option("--lwa-client-secret", default=None, help="The LWA application's secret (registers it if new).")
@click.option("--refresh-token", default=None, help="The refresh token to authorize it with (default: generate).")
@db_option
def seller_add(
    seller_id: str,
    access_key: str,
    secret_key: str | None,
    auth_token: str | None,
    marketplaces: tuple[str, ...],
    lwa_client_id: str | None,
    lwa_client_secret: str | None,
    refresh_token: str | None,
    db_url: str | None,
) -> None:
    """Create or update SELLER_ID and grant an access key to act for it (idempotent)."""
    from outbound.domain.world import WORLD

    for marketplace_id in marketplaces:
        if marketplace_id not in WORLD.marketplaces:
            raise click.BadParameter(f"unknown MarketplaceId {marketplace_id}", param_hint="--marketplace")
    secret = cli_errors.read_secret(secret_key, "--secret-key", "OUTBOUND_SECRET_KEY")
    if not secret:
        raise click.ClickException(
            "the key needs its secret: --secret-key S, --secret-key - (read from standard input) or OUTBOUND_SECRET_KEY"
        )
    db = open_db(db_url)
    accounts.add_seller(db, seller_id, access_key, secret, auth_token, list(marketplaces) or None)
    console.print(f"seller [bold]{seller_id}[/] can be called with access key [bold]{access_key}[/]")
    cli_spapi.grant_lwa(db, seller_id, lwa_client_id, lwa_client_secret, refresh_token)


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


@main.group()
def inventory() -> None:
    """The seller's SKUs and their stock per fulfillment center."""


@inventory.command("set", context_settings={"ignore_unknown_options": True})  # -5 is a quantity, not an option
@click.argument("seller_id")
@click.argument("sku")
@click.argument("quantity", type=int)
@click.option("--fc", "fc_code", default=None, help="Fulfillment center (default: spread over the marketplace's).")
@click.option("--weight-lb", type=click.FloatRange(min=0, min_open=True), default=None)
@click.option("--dimensions-in", default=None, help="LxWxH in inches, e.g. 12x8x4.")
@click.option(
    "--category",
    type=click.Choice(sorted(CATEGORY_CODES)),
    default=None,
    help="Product category: which return reason codes apply (default: default).",
)
@db_option
def inventory_set(
    seller_id: str,
    sku: str,
    quantity: int,
    fc_code: str | None,
    weight_lb: float | None,
    dimensions_in: str | None,
    category: str | None,
    db_url: str | None,
) -> None:
    """Set the sellable QUANTITY of SKU (at one center, or spread over the seller's marketplace)."""
    if quantity < 0:
        raise click.ClickException(f"QUANTITY must be ≥ 0, not {quantity}")
    try:
        dims = stock.parse_dimensions(dimensions_in) if dimensions_in else None
        weight = Decimal(str(weight_lb)) if weight_lb else None
        change = stock.StockChange(seller_id, sku, quantity, fc_code, weight, dims, category)
        db = open_db(db_url)
        stock.set_inventory(db, change)
    except stock.InventoryError as exc:
        raise click.ClickException(exc.message) from None
    _print_levels(db, seller_id, sku)


def _print_levels(db: Database, seller_id: str, sku: str | None) -> None:
    table = Table("SKU", "center", "sellable", "reserved", title=f"inventory of {seller_id}")
    for row_sku, fc_code, sellable, reserved in stock.levels(db, seller_id, sku):
        table.add_row(row_sku, fc_code, str(sellable), str(reserved))
    console.print(table)


@inventory.command("show")
@click.argument("seller_id")
@click.argument("sku", required=False)
@db_option
def inventory_show(seller_id: str, sku: str | None, db_url: str | None) -> None:
    """Print a seller's stock per SKU and center."""
    db = open_db(db_url)
    accounts.require_seller(db, seller_id)
    _print_levels(db, seller_id, sku)


@inventory.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@db_option
def inventory_import(path: Path, db_url: str | None) -> None:
    """Import FILE.csv (columns seller_id, sku, quantity[, fc, weight_lb, dimensions_in]) in one transaction."""
    db = open_db(db_url)
    rows = sum(1 for _ in path.open(encoding="utf-8-sig")) - 1
    try:
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("importing", total=max(rows, 0))
            summary = stock.import_csv(db, path, lambda n: progress.advance(task, n))
    except stock.InventoryError as exc:
        raise click.ClickException(f"{exc}; nothing was imported") from None
    console.print(
        f"imported {summary.rows} rows: {summary.skus} SKUs of {summary.sellers} seller(s), {summary.units} units"
    )


@main.group()
def orders() -> None:
    """Fulfillment orders."""


@orders.command("list")
@click.argument("seller_id")
@click.option("--since", default=None, help="ISO 8601 instant (default: everything).")
@db_option
def orders_list(seller_id: str, since: str | None, db_url: str | None) -> None:
    """List a seller's orders, oldest status change first."""
    db = open_db(db_url)
    accounts.require_seller(db, seller_id)
    start = parse_datetime(since) if since else datetime(1970, 1, 1, tzinfo=UTC)
    if start is None:
        raise click.BadParameter(f"not an ISO 8601 instant: {since}", param_hint="--since")
    table = Table("order id", "status", "speed", "received", "status updated", "destination", title=seller_id)
    for order in order_views.all_orders(db, seller_id, start):
        where = order.destination
        table.add_row(
            order.seller_order_id,
            order.status,
            order.shipping_speed,
            views.stamp(order.received_at),
            views.stamp(order.status_updated_at),
            f"{where.get('City') or ''} {where.get('StateOrProvinceCode') or ''} {where.country_code}".strip(),
        )
    console.print(table)


@orders.command("show")
@click.argument("seller_id")
@click.argument("order_id")
@db_option
@click.option("--clock", "clock_kind", type=click.Choice(CLOCKS), default=None, help="Service clock (default real).")
def orders_show(seller_id: str, order_id: str, db_url: str | None, clock_kind: str | None) -> None:
    """Print one order with its lines, shipments, each package's tracking timeline so far, and its returns.

    Tracking is read at the service clock's now (--clock or OUTBOUND_CLOCK, as the server runs)."""
    settings = Settings.from_env().with_(database_url=db_url, clock=clock_kind)
    db = open_db(settings.database_url)
    accounts.require_seller(db, seller_id)
    try:
        order = order_service.get_fulfillment_order(db, seller_id, order_id)
    except InvalidValue:
        raise click.ClickException(f"seller {seller_id} has no order {order_id}") from None
    now = simulation.service_clock(settings.clock, db).now()
    console.print(views.order_details(order, order_views.package_tracking(db, order, now)))


@main.group("returns")
def returns_group() -> None:
    """Fulfillment returns (CreateFulfillmentReturn) and how they were processed."""


@returns_group.command("list")
@click.argument("seller_id")
@click.argument("order_id")
@db_option
def returns_list(seller_id: str, order_id: str, db_url: str | None) -> None:
    """Print the returned units of an order (status, grading, center) and their return authorizations."""
    db = open_db(db_url)
    accounts.require_seller(db, seller_id)
    try:
        order = order_service.get_fulfillment_order(db, seller_id, order_id)
    except InvalidValue:
        raise click.ClickException(f"seller {seller_id} has no order {order_id}") from None
    units = Table(
        "return item",
        "line",
        "shipment",
        "reason",
        "status",
        "since",
        "condition",
        "Amazon reason",
        "center",
        title=f"returns of {order_id}",
    )
    for r in order.returns:
        units.add_row(
            r.seller_return_item_id,
            r.item_id,
            r.amazon_shipment_id,
            r.seller_reason_code,
            r.status,
            views.stamp(r.status_changed_at),
            r.received_condition or "",
            r.amazon_reason_code or "",
            r.fc_code or "",
        )
    authorizations = Table("authorization", "center", "RMA", "return to", "label", title="return authorizations")
    for a in order.authorizations:
        to = a.address
        authorizations.add_row(
            a.authorization_id,
            a.fc_code,
            a.rma_id,
            f"{to.get('Name')}, {to.get('Line1')}, {to.get('City') or ''} {to.get('StateOrProvinceCode') or ''} "
            f"{to.get('PostalCode') or ''} {to.country_code}",
            a.rma_url,
        )
    console.print(units)
    console.print(authorizations)


@main.group()
def clock() -> None:
    """The virtual clock (serve with --clock virtual): show it, advance it, set it."""


@clock.command("show")
@db_option
def clock_show(db_url: str | None) -> None:
    """Print the virtual clock's current instant."""
    console.print(simulation.show(open_db(db_url)).isoformat())


@clock.command("advance")
@click.argument("duration")
@db_option
def clock_advance(duration: str, db_url: str | None) -> None:
    """Advance by DURATION (90m, 2h, 3d, 1w, 1d12h), applying every step that falls due, in time order."""
    db = open_db(db_url)
    cli_ops.refuse_real_clock(db)
    try:
        moved = simulation.advance(db, simulation.duration(duration))
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    console.print(f"clock at {moved.now.isoformat()} ({moved.steps} lifecycle steps applied)")


@clock.command("set")
@click.argument("instant")
@db_option
def clock_set(instant: str, db_url: str | None) -> None:
    """Move the clock forward to INSTANT (ISO 8601)."""
    moment = parse_datetime(instant)
    if moment is None:
        raise click.BadParameter(f"not an ISO 8601 instant: {instant}")
    db = open_db(db_url)
    cli_ops.refuse_real_clock(db)
    try:
        moved = simulation.set_to(db, moment)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    console.print(f"clock at {moved.now.isoformat()} ({moved.steps} lifecycle steps applied)")


@main.command()
@db_option
@click.option("--clock", "clock_kind", type=click.Choice(CLOCKS), default=None, help="Service clock (default real).")
@click.option("--interval", default=1.0, show_default=True, help="Seconds between polls when nothing is due.")
def worker(db_url: str | None, clock_kind: str | None, interval: float) -> None:
    """Run the lifecycle engine (several workers may share one PostgreSQL database)."""
    settings = Settings.from_env().with_(database_url=db_url, clock=clock_kind)
    db = open_db(settings.database_url)
    console.print(f"lifecycle worker on {db.engine.url.render_as_string(hide_password=True)}")
    runner = simulation.lifecycle_runner(db, simulation.service_clock(settings.clock, db), interval)
    delivery = notifications.delivery_runner(db) if settings.notify else None
    if delivery is not None:
        delivery.start()  # its own thread: a dead destination never slows the engine
    with contextlib.suppress(KeyboardInterrupt):
        runner.run_forever()
    if delivery is not None:
        delivery.stop()


@main.group()
def scenario() -> None:
    """Scenarios and faults for integration tests (see README: recipes)."""


@scenario.command("add")
@click.argument("seller_id")
@click.argument("kind", metavar="KIND")
@click.option("--order", "order_id", default=None, help="Only this SellerFulfillmentOrderId.")
@click.option("--set", "values", multiple=True, help="A parameter, key=value (repeatable).")
@click.option("--times", type=int, default=None, help="A fault fires this many times, then is gone.")
@db_option
@click.option("--clock", "clock_kind", type=click.Choice(CLOCKS), default=None, help="Service clock (default real).")
def scenario_add(
    seller_id: str,
    kind: str,
    order_id: str | None,
    values: tuple[str, ...],
    times: int | None,
    db_url: str | None,
    clock_kind: str | None,
) -> None:
    """Add a scenario: force_status, hold_shipment, package, speed, fault or return (condition=..., arrives=never)."""
    params: dict[str, Any] = {}
    for value in values:
        key, equals, raw = value.partition("=")
        if not equals or not key:
            raise click.ClickException(f"--set takes key=value, e.g. --set outcome=lost, not {value!r}")
        try:
            params[key] = float(raw) if key == "multiplier" else raw
        except ValueError:
            raise click.ClickException(f"--set {value}: the multiplier must be a number, e.g. multiplier=10") from None
    db = open_db(db_url)
    clock = simulation.service_clock(Settings.from_env().with_(clock=clock_kind).clock, db)
    try:
        scenario_id = scenarios.add_and_wake(
            db, clock, seller_id, kind, params, seller_order_id=order_id, remaining=times
        )
    except ValueError as exc:  # unknown seller, order, kind, key or action; a finished order: the message says
        raise click.ClickException(str(exc).replace("remaining (--times)", "--times")) from None
    console.print(f"scenario {scenario_id} added")


@scenario.command("list")
@click.argument("seller_id", required=False)
@db_option
def scenario_list(seller_id: str | None, db_url: str | None) -> None:
    """List scenarios (of one seller)."""
    table = Table("id", "seller", "order", "kind", "params", "remaining")
    for s in scenarios.listing(open_db(db_url), seller_id):
        table.add_row(str(s.id), s.seller_id, s.seller_order_id or "*", s.kind, str(s.params), str(s.remaining or ""))
    console.print(table)


@scenario.command("remove")
@click.argument("scenario_id", type=int)
@db_option
def scenario_remove(scenario_id: int, db_url: str | None) -> None:
    """Remove a scenario by id."""
    removed = scenarios.remove(open_db(db_url), scenario_id)
    if not removed:
        raise click.ClickException(f"no scenario {scenario_id}")
    console.print(f"scenario {scenario_id} removed")


@main.command("preview")
@click.argument("seller_id")
@click.option(
    "--to",
    "to",
    required=True,
    metavar="'Name|Line1|City|ST|ZIP|CC'",
    help="Destination, six fields separated by |: name, street line, city, state or province (JP: prefecture), "
    "postal code, ISO country code. Leave City empty for JP ('Yamada|Meguro-ku 2-24-1||Tokyo|153-0064|JP').",
)
@click.option("--item", "items", multiple=True, required=True, metavar="SKU:QTY[:ID]", help="A line (repeatable).")
@click.option("--speed", "speeds", multiple=True, help="Shipping speed (repeatable; default: every one offered).")
@click.option("--marketplace", default=None, help="MarketplaceId (default: the seller's home marketplace).")
@click.option("--cod", is_flag=True, help="JP: also preview cash on delivery (IncludeCODFulfillmentPreview).")
@click.option("--delivery-windows", is_flag=True, help="JP: list ScheduledDelivery windows (IncludeDeliveryWindows).")
@db_option
def preview(
    seller_id: str,
    to: str,
    items: tuple[str, ...],
    speeds: tuple[str, ...],
    marketplace: str | None,
    cod: bool,
    delivery_windows: bool,
    db_url: str | None,
) -> None:
    """Preview an order for SELLER_ID as GetFulfillmentPreview would: per speed, whether it can be fulfilled, its
    weight and fees, its shipments (center, ship and arrival dates, items) and what cannot be fulfilled.

    It reads the database directly (no server needed) on the service clock (OUTBOUND_CLOCK). Dates are local to
    each center (whole days; ScheduledDelivery with times). Examples:

    \b
    outbound preview A2NKEXAMPLEF53 --to 'Jane Doe|1200 12th Ave S|Seattle|WA|98144|US' \\
        --item BLUE-MUG-12OZ:2 --item TEA-SAMPLER-6:1 --speed Standard --speed Expedited
    outbound preview A2NKEXAMPLEF53 --to 'Yamada Hanako|Meguro-ku 2-24-1||Tokyo|153-0064|JP' \\
        --item JP-TEA-TIN-100G:1 --marketplace A1VC38T7YXB528 --cod --delivery-windows
    """
    from outbound.domain.orders import SPEEDS
    from outbound.mws import shapes
    from outbound.mws.errors import MwsError
    from outbound.mws.params import Params
    from outbound.service import preview as preview_service

    parts = to.split("|")
    if len(parts) != 6:
        raise click.BadParameter("six fields separated by |: Name|Line1|City|ST|ZIP|CC", param_hint="--to")
    wire = dict(zip(("Name", "Line1", "City", "StateOrProvinceCode", "PostalCode", "CountryCode"), parts, strict=True))
    try:
        address = shapes.address(Params({k: v for k, v in wire.items() if v.strip()}))
    except MwsError as exc:
        raise click.BadParameter(exc.message.replace("parameter ", "field "), param_hint="--to") from None
    lines = []
    for n, spec in enumerate(items, 1):
        sku, _, rest = spec.partition(":")
        quantity, _, item_id = rest.partition(":")
        if not sku or not quantity.isdigit() or int(quantity) < 1:
            raise click.BadParameter(f"{spec!r} is not SKU:QTY[:ID] with QTY ≥ 1", param_hint="--item")
        lines.append(order_service.ItemRequest(sku, item_id or f"line-{n}", int(quantity)))
    if len({line.item_id for line in lines}) != len(lines):
        raise click.BadParameter("line ids must be unique", param_hint="--item")
    for speed in speeds:
        if speed not in SPEEDS:
            raise click.BadParameter(f"{speed} is not one of {', '.join(SPEEDS)}", param_hint="--speed")
    db = open_db(db_url)
    home = accounts.default_marketplace(db, seller_id)
    if home is None:
        raise click.ClickException(f"unknown seller {seller_id} (add it with `outbound seller add`)")
    caller = accounts.Caller("cli", seller_id, home)
    request = preview_service.PreviewRequest(
        address, tuple(lines), tuple(dict.fromkeys(speeds)), marketplace, cod, delivery_windows
    )
    settings = Settings.from_env().with_(database_url=db.url)
    now = simulation.service_clock(settings.clock, db).now()
    try:
        previews = preview_service.get_fulfillment_preview(db, caller, request, now)
    except InvalidValue as exc:
        raise click.ClickException(f"{exc.field} {exc.value} is not valid for seller {seller_id}") from None
    for found in previews:
        console.print(views.preview(found))


cli_spapi.register(main, seller)
cli_notifications.register(main)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
