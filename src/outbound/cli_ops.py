"""Commands for running Outbound: ``outbound demo`` and ``outbound reset`` (registered on the main group by ``cli``).

Both name the store they act on, so a first call never lands in another file than the server reads.
"""

from __future__ import annotations

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from outbound.config import Settings
from outbound.service import demo, runtime, stats
from outbound.store import Database

console = Console()


def open_store(db_url: str | None) -> Database:
    from outbound.cli_errors import check_database

    url = Settings.from_env().with_(database_url=db_url).database_url
    check_database(url)
    db = Database(url)
    db.migrate()
    return db


def say_store(db: Database) -> None:
    """Every command names the store it acts on (on stderr: what it prints on stdout stays parseable)."""
    click.echo(f"store: {db.public_url}", err=True)


def refuse_real_clock(db: Database) -> None:
    """Moving the clock of a store whose server runs the real clock would replay steps ahead of real time."""
    if runtime.clock_mode(db) == "real":
        raise click.ClickException(
            f"the server on {db.public_url} runs the real clock, which can't be moved; "
            "start it with `outbound serve --clock virtual` to travel in time"
        )


db_option = click.option(
    "--db", "db_url", envvar="OUTBOUND_DATABASE_URL", default=None, help="Database URL (default ./outbound.db)."
)


@click.command("demo")
@db_option
@click.option(
    "--orders",
    type=click.IntRange(1, demo.MAX_ORDERS),
    default=demo.DEFAULT_ORDERS,
    show_default=True,
    help="How many orders (beyond the hand-made set, one-unit orders bulk-loaded and moved by the engine).",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Where the printed first calls point.")
@click.option("--port", default=8000, show_default=True, type=int)
def demo_command(db_url: str | None, orders: int, host: str, port: int) -> None:
    """Fill an empty store with a demo seller, stock in US, EU and JP centers, and orders in every status, then
    print the credentials and first calls. Serve it with `outbound serve --clock virtual` (or `serve --demo`)."""
    db = open_store(db_url)
    try:
        summary = load_demo(db, orders)
    finally:
        db.dispose()
    print_demo(summary, db.public_url, host, port, serve_hint=True)


def load_demo(db: Database, orders: int) -> demo.Summary:
    """The demo on ``db`` with a progress bar (raises ``ClickException`` with one line when it can't)."""
    console.print(f"store: [bold]{db.public_url}[/]")
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        tasks: dict[str, TaskID] = {}

        def report(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = progress.add_task(phase, total=total)
            progress.update(tasks[phase], completed=done, total=total)

        try:
            return demo.load(db, orders, report)
        except demo.DemoError as exc:
            raise click.ClickException(str(exc)) from None


def print_demo(summary: demo.Summary, store: str, host: str, port: int, *, serve_hint: bool) -> None:
    seller = summary.seller
    base = f"http://{host}:{port}"
    if summary.created:
        total = sum(summary.orders.values())
        console.print(
            f"demo ready in {summary.seconds:.1f} s: {total:,} orders, {summary.shipments:,} shipments, "
            f"{summary.packages:,} packages, {summary.returns:,} returned units ({summary.steps:,} lifecycle steps); "
            f"virtual clock at {summary.clock.isoformat()}"
        )
    else:
        console.print(f"the demo is already in this store; virtual clock at {summary.clock.isoformat()}")
    console.print("orders by status: " + ", ".join(f"{s} {n:,}" for s, n in sorted(summary.orders.items())))
    console.print(
        f"\nseller [bold]{seller.seller_id}[/]  access key [bold]{seller.access_key}[/]  "
        f"secret key [bold]{seller.secret_key}[/]\nmarketplaces {', '.join(seller.marketplaces)}",
        soft_wrap=True,
    )
    if serve_hint:
        db_flag = "" if store.endswith("/outbound.db") and "sqlite" in store else f" --db '{store}'"
        console.print(f"\nserve it:  outbound serve --clock virtual{db_flag}", soft_wrap=True, highlight=False)
    console.print("\nfirst calls, with our SDK:", highlight=False)
    console.print(
        "from outbound.client import OutboundClient\n"
        f'mws = OutboundClient("{base}", "{seller.access_key}", "{seller.secret_key}", "{seller.seller_id}")\n'
        "print(mws.get_service_status().status)\n"
        'print(mws.get_fulfillment_order("DEMO-0001").order.status)',
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
    console.print("\nwith python-amazon-mws:", highlight=False)
    console.print(
        "from mws import mws\n"
        f'api = mws.MWS("{seller.access_key}", "{seller.secret_key}", "{seller.seller_id}", domain="{base}",\n'
        '              uri="/FulfillmentOutboundShipment/2010-10-01", version="2010-10-01")\n'
        'print(api.make_request({"Action": "GetFulfillmentOrder", "SellerFulfillmentOrderId": "DEMO-0001"}).parsed)',
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
    console.print("\nthe admin API:", highlight=False)
    console.print(
        f"curl {base}/health\ncurl {base}/admin/clock\n"
        f'curl -X POST {base}/admin/clock/advance -d \'{{"duration": "1h"}}\'\ncurl {base}/metrics',
        markup=False,
        highlight=False,
        soft_wrap=True,
    )


@click.command("reset")
@db_option
@click.option("--yes", is_flag=True, help="Do not ask for confirmation (scripts).")
def reset_command(db_url: str | None, yes: bool) -> None:
    """Delete every seller, order, scenario and the clock from the store (the schema stays)."""
    db = open_store(db_url)
    try:
        sellers, orders = stats.store_state(db)
        if not yes:
            click.confirm(f"Delete everything in {db.public_url} ({sellers:,} sellers, {orders:,} orders)?", abort=True)
        stats.empty_store(db)
    finally:
        db.dispose()
    console.print(f"emptied {db.public_url} ({sellers:,} sellers, {orders:,} orders removed)", highlight=False)


COMMANDS = (demo_command, reset_command)
