"""SP-API credentials on the command line: LWA applications and the seller authorizations (refresh tokens) that let
one act for a seller. Generated secrets are printed once; stored ones are shown masked."""

from __future__ import annotations

import click
from rich.console import Console
from rich.table import Table

from outbound.cli_errors import read_secret
from outbound.service import accounts, lwa
from outbound.store import Database

console = Console()


def _db(db_url: str | None) -> Database:
    from outbound.cli import open_db  # the composition root opens and migrates the store

    return open_db(db_url)


db_option = click.option(
    "--db", "db_url", envvar="OUTBOUND_DATABASE_URL", default=None, help="Database URL (default ./outbound.db)."
)


def grant_lwa(
    db: Database, seller_id: str, client_id: str | None, client_secret: str | None, refresh_token: str | None
) -> None:
    """``seller add``'s LWA part: register the application if given, and authorize it for the seller."""
    if client_id is None:
        if client_secret or refresh_token:
            raise click.UsageError("--lwa-client-secret and --refresh-token need --lwa-client-id")
        return
    try:
        made = lwa.add_app(db, client_id, client_secret)
        granted = lwa.authorize(db, seller_id, made.client_id, refresh_token)
    except lwa.CredentialError as exc:
        raise click.ClickException(str(exc)) from None
    _print_grant(granted, shown=refresh_token is None)


def _print_grant(granted: lwa.Granted, *, shown: bool) -> None:
    console.print(f"seller [bold]{granted.seller_id}[/] authorizes LWA application [bold]{granted.client_id}[/]")
    if shown:
        console.print(f"refresh token (shown once): {granted.refresh_token}", soft_wrap=True)


def register(main: click.Group, seller: click.Group) -> None:
    """Add the commands to the ``outbound`` group and its ``seller`` group."""

    @main.group("lwa-app")
    def lwa_app() -> None:
        """Login with Amazon applications (SP-API's developer credentials)."""

    @lwa_app.command("add")
    @click.option("--client-id", default=None, help="Keep an existing client id (default: generate one).")
    @click.option(
        "--client-secret",
        envvar="OUTBOUND_LWA_CLIENT_SECRET",
        default=None,
        help="Keep an existing secret (default: generate one); - reads it from standard input "
        "(or set OUTBOUND_LWA_CLIENT_SECRET).",
    )
    @click.option("--name", default=None)
    @db_option
    def lwa_app_add(client_id: str | None, client_secret: str | None, name: str | None, db_url: str | None) -> None:
        """Register an LWA application (idempotent); a generated secret is printed once."""
        client_secret = read_secret(client_secret, "--client-secret", "OUTBOUND_LWA_CLIENT_SECRET")
        try:
            made = lwa.add_app(_db(db_url), client_id, client_secret, name)
        except lwa.CredentialError as exc:
            raise click.ClickException(str(exc)) from None
        verb = "registered" if made.created else "updated"
        console.print(f"LWA application [bold]{made.client_id}[/] {verb}", soft_wrap=True)
        if made.client_secret is not None and client_secret is None:
            console.print(f"client secret (shown once): {made.client_secret}", soft_wrap=True)

    @seller.command("authorize")
    @click.argument("seller_id")
    @click.option("--client-id", required=True, help="The LWA application to authorize.")
    @click.option("--refresh-token", default=None, help="Keep an existing refresh token (default: generate one).")
    @db_option
    def seller_authorize(seller_id: str, client_id: str, refresh_token: str | None, db_url: str | None) -> None:
        """Let an LWA application act for SELLER_ID through a refresh token."""
        try:
            granted = lwa.authorize(_db(db_url), seller_id, client_id, refresh_token)
        except lwa.CredentialError as exc:
            raise click.ClickException(str(exc)) from None
        _print_grant(granted, shown=refresh_token is None)

    @seller.command("revoke")
    @click.argument("seller_id")
    @click.option("--refresh-token", default=None, help="Revoke this refresh token.")
    @click.option("--client-id", default=None, help="Revoke every authorization of this application.")
    @db_option
    def seller_revoke(seller_id: str, refresh_token: str | None, client_id: str | None, db_url: str | None) -> None:
        """Revoke SELLER_ID's authorizations; their access tokens stop working at once."""
        if (refresh_token is None) == (client_id is None):
            raise click.UsageError("give exactly one of --refresh-token and --client-id")
        count = lwa.revoke(_db(db_url), seller_id, refresh_token=refresh_token, client_id=client_id)
        console.print(f"revoked {count} authorization(s) of seller [bold]{seller_id}[/]")

    @seller.command("show")
    @click.argument("seller_id")
    @db_option
    def seller_show(seller_id: str, db_url: str | None) -> None:
        """The credentials that act for SELLER_ID: MWS keys and LWA authorizations (masked)."""
        db = _db(db_url)
        accounts.require_seller(db, seller_id)
        try:
            found = lwa.credentials(db, seller_id)
        except lwa.CredentialError as exc:
            raise click.ClickException(str(exc)) from None
        keys = Table("MWS access key", "MWSAuthToken required", title=f"MWS keys of {seller_id}")
        for key in found.mws_keys:
            keys.add_row(lwa.mask(key.access_key), "yes" if key.needs_auth_token else "no")
        console.print(keys)
        grants = Table("id", "LWA client id", "refresh token", "created", "state", title="LWA authorizations")
        for a in found.lwa_authorizations:
            state = "revoked" if a.revoked else "active"
            grants.add_row(str(a.authorization_id), a.client_id, a.refresh_token, a.created_at.isoformat(), state)
        console.print(grants)
