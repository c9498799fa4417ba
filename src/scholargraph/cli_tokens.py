"""`scholargraph token ...`: create, list and revoke API tokens (the operator's console)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer

from scholargraph import auth
from scholargraph.graphdb import accounts
from scholargraph.graphdb.connect import open_store
from scholargraph.graphdb.store import Store, StoreError
from scholargraph.settings import Settings

T = TypeVar("T")

app = typer.Typer(
    help="API tokens: every mutation needs one (`Authorization: Bearer <token>`).",
    no_args_is_help=True,
)


def _fail(message: str) -> None:
    typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)
    raise typer.Exit(1)


def _with_store(work: Callable[[Store], Awaitable[T]]) -> T:
    async def run() -> T:
        async with open_store(Settings()) as store:
            return await work(store)

    try:
        return asyncio.run(run())
    except (StoreError, OSError, accounts.BadAccountName, auth.InvalidToken) as exc:
        _fail(str(exc))
        raise  # unreachable: _fail exits


@app.command("create")
def create(
    user: str = typer.Option(..., "--user", help="Account name; created if new."),
    admin: bool = typer.Option(False, "--admin", help="Give the account the admin role."),
) -> None:
    """Print a new token for USER (only this once: it is stored hashed)."""
    issued = _with_store(lambda store: auth.issue_token(store, user, admin=admin))
    what = "created account" if issued.account_created else "account"
    role = " (admin)" if issued.account.admin else ""
    typer.echo(f"{what} {issued.account.name}{role}; token id {issued.token_id}", err=True)
    typer.echo(issued.token)


@app.command("revoke")
def revoke(token_id: str = typer.Argument(..., help="The id shown by `token list`.")) -> None:
    """Revoke a token at once; requests carrying it are refused from now on."""
    try:
        wanted = auth.token_id_of(token_id)
    except auth.InvalidToken as exc:
        _fail(str(exc))
        raise  # unreachable: _fail exits
    owner = _with_store(lambda store: accounts.revoke_token(store, wanted))
    if owner is None:
        _fail(f"no live token has the id {wanted}")
    typer.echo(f"revoked token {wanted} of {owner}")


@app.command("list")
def list_() -> None:
    """Every token: id, account, role, created, revoked (never the token itself)."""
    tokens = _with_store(accounts.list_tokens)
    typer.echo(f"{'TOKEN ID':<18} {'ACCOUNT':<24} {'ROLE':<6} {'CREATED':<33} REVOKED")
    for t in tokens:
        role = "admin" if t.admin else "user"
        typer.echo(
            f"{t.token_id:<18} {t.account:<24} {role:<6} {t.created_at:<33} {t.revoked_at or '-'}"
        )


__all__ = ["app"]
