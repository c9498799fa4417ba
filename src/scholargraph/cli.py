"""The `scholargraph` command: serve, seed, stats, import."""

from __future__ import annotations

import asyncio
import errno
import logging
import socket
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer

from scholargraph import cli_tokens
from scholargraph.graphdb.connect import open_store
from scholargraph.graphdb.stats import graph_counts
from scholargraph.graphdb.store import StoreError
from scholargraph.ingest import load
from scholargraph.ingest.seed import SeedError
from scholargraph.settings import Settings, describe

T = TypeVar("T")

app = typer.Typer(
    help="scholargraph: a GraphQL API over a scholarly knowledge graph.\n\n"
    "Settings (environment variables):\n\n" + describe(),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
import_app = typer.Typer(help="Import paper lists into the graph.", no_args_is_help=True)
app.add_typer(import_app, name="import")
app.add_typer(cli_tokens.app, name="token")


def fail(message: str, code: int = 1) -> None:
    typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)
    raise typer.Exit(code)


def run(work: Callable[[], Awaitable[T]]) -> T:
    """Run a command's async work; known failures become one clear line and a non-zero exit."""
    try:
        return asyncio.run(work())  # type: ignore[arg-type]
    except (SeedError, StoreError, OSError) as exc:
        fail(str(exc))
        raise  # unreachable: fail() exits


def _port_free(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            raise
    return True


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
) -> None:
    """Serve the API (GraphiQL at /graphql); seeds an empty graph first."""
    import uvicorn

    from scholargraph.app import create_app

    settings = Settings()
    if not _port_free(host, port):
        fail(f"port {port} on {host} is already in use; choose another with --port")
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(levelname)s %(name)s: %(message)s"
    )
    try:
        uvicorn.run(create_app(settings), host=host, port=port, log_level=settings.log_level)
    except (SeedError, StoreError) as exc:
        fail(str(exc))


@app.command()
def seed() -> None:
    """Load the seed transcriptions; running it again changes nothing."""
    settings = Settings()

    async def work() -> None:
        async with open_store(settings) as store:
            summary = await load.seed(store, settings.seeds_dir)
            counts = await graph_counts(store)
        typer.echo(f"seeded {summary['nodes']} nodes and {summary['relationships']} relationships")
        typer.echo(f"graph now holds {counts.nodes} nodes and {counts.edges} relationships")

    run(work)


@app.command()
def stats() -> None:
    """Print node counts per label and relationship counts per type."""
    settings = Settings()

    async def work() -> None:
        async with open_store(settings) as store:
            counts = await graph_counts(store)
        typer.echo("nodes")
        for label, count in counts.labels.items():
            typer.echo(f"  {label:<20} {count:>9}")
        typer.echo("relationships")
        for rel, count in counts.relationships.items():
            typer.echo(f"  {rel:<20} {count:>9}")
        typer.echo(f"total: {counts.nodes} nodes, {counts.edges} relationships")

    run(work)


@app.command("schema")
def export_schema() -> None:
    """Print the GraphQL SDL (schema.graphql at the top of the repo is this output)."""
    from scholargraph.schema import build_schema

    typer.echo(build_schema().as_str())


def main() -> None:
    app()


if __name__ == "__main__":
    main()

__all__ = ["app", "import_app", "main"]
