"""The `scholargraph` command: serve, seed, stats, import."""

from __future__ import annotations

import asyncio
import errno
import getpass
import logging
import logging.config
import os
import shutil
import socket
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import typer

from scholargraph import cli_tokens, logs
from scholargraph.graphdb.connect import open_store
from scholargraph.graphdb.identity import (
    IdentityError,
    MergeResult,
    SplitResult,
    merge_researchers,
    split_researcher,
)
from scholargraph.graphdb.stats import graph_counts
from scholargraph.graphdb.store import StoreError
from scholargraph.ingest import load
from scholargraph.ingest.importer import (
    RECORDS_PER_BATCH,
    ImportSummary,
    SourceFile,
    jsonl_sources,
    openalex_sources,
    paperlists_sources,
    run_import,
    summary_lines,
)
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
    except (SeedError, StoreError, IdentityError, OSError) as exc:
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
    workers: int | None = typer.Option(
        None,
        "--workers",
        min=1,
        help="Worker processes sharing the port (default: SCHOLARGRAPH_WORKERS, else 1).",
    ),
) -> None:
    """Serve the API (GraphiQL at /graphql); seeds an empty graph first."""
    import uvicorn

    from scholargraph.app import create_app

    settings = Settings()
    count = workers or settings.workers
    if not _port_free(host, port):
        fail(f"port {port} on {host} is already in use; choose another with --port")
    if settings.neo4j_uri:
        # uvicorn reports a failed start-up with a traceback; an unreachable Neo4j or one of
        # another version is a setting to fix, so say it in one line before serving.
        async def probe() -> None:
            async with open_store(settings, schema=False):
                pass

        run(probe)
    log_config = logs.config(settings.log_level, settings.log_format)
    logging.config.dictConfig(log_config)
    if count > 1:
        _serve_workers(settings, host, port, count, log_config)
        return
    try:
        uvicorn.run(
            create_app(settings), host=host, port=port, log_level=settings.log_level,
            log_config=log_config,  # applied by every worker process too
        )  # fmt: skip
    except (SeedError, StoreError) as exc:
        fail(str(exc))


WORKER_HEALTHCHECK_S = 30


def _serve_workers(
    settings: Settings, host: str, port: int, count: int, log_config: dict[str, Any]
) -> None:
    """`count` uvicorn workers on one port. This process owns the bundled FalkorDB (starts it,
    or attaches to one already running) and seeds an empty graph once; the workers only
    attach, so one worker's crash and restart leaves the others and the store as they were.
    The server stops when this process does (SIGTERM or Ctrl-C: uvicorn stops the workers
    first)."""
    import uvicorn

    from scholargraph.graphdb import embedded

    server: embedded.EmbeddedServer | None = None
    if not settings.neo4j_uri and not settings.falkordb_url:
        try:
            server = embedded.start(settings.data_dir)
        except StoreError as exc:
            fail(str(exc))

    async def prepare() -> None:
        async with open_store(settings) as store:  # attaches; creates the schema
            if settings.seed_on_start and await load.is_empty(store):
                summary = await load.seed(store, settings.seeds_dir)
                logging.getLogger(__name__).info("seeded an empty graph: %s", summary)

    try:
        run(prepare)
        os.environ["SCHOLARGRAPH_SEED_ON_START"] = "false"  # done above, once
        # prometheus-client's multiprocess mode: each worker writes its samples there.
        metrics = tempfile.mkdtemp(prefix="scholargraph-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics
        try:
            uvicorn.run(
                "scholargraph.app:create_app",
                factory=True,
                workers=count,
                host=host,
                port=port,
                log_level=settings.log_level,
                log_config=log_config,
                # uvicorn replaces a worker that does not answer its ping in time; 5 s (its
                # default) killed busy workers on a loaded 2-core machine mid-request.
                timeout_worker_healthcheck=WORKER_HEALTHCHECK_S,
            )
        finally:
            shutil.rmtree(metrics, ignore_errors=True)
    finally:
        if server is not None:
            server.stop()


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


researchers_app = typer.Typer(
    help="Merge and split researchers; every merge is recorded and can be undone.",
    no_args_is_help=True,
)
app.add_typer(researchers_app, name="researchers")


def _import(sources_of: Callable[[], list[SourceFile]], batch_size: int) -> None:
    """Shared body of the import commands: progress on stderr, summary and timing on stdout,
    exit code 1 when a whole file could not be imported."""
    settings = Settings()
    started = time.perf_counter()
    sources = sources_of()
    known = [s.records for s in sources if s.records is not None]

    async def work() -> ImportSummary:
        async with open_store(settings) as store:
            # Typed Any: typer's vendored click leaves the item type unsolved for a bare length.
            progress: Any = typer.progressbar(
                length=2 * sum(known) if len(known) == len(sources) else None,
                label="importing",
                file=sys.stderr,
            )
            with progress as bar:
                return await run_import(
                    store, sources, batch_records=batch_size, progress=bar.update
                )

    summary = run(work)
    for line in summary_lines(summary):
        typer.echo(line)
    elapsed = time.perf_counter() - started
    rate = summary.read / elapsed if elapsed else 0.0
    typer.echo(f"elapsed     {elapsed:.2f} s ({rate:,.0f} records/s)")
    if summary.failed_files:
        raise typer.Exit(1)


_BATCH = typer.Option(
    RECORDS_PER_BATCH, "--batch-size", min=1, help="Records per atomic write batch."
)


@import_app.command("paperlists")
def import_paperlists_command(
    files: list[Path] = typer.Argument(..., help="paperlists files, e.g. iclr2019.json."),
    keep_rejected: bool = typer.Option(
        False, "--keep-rejected", help="Also import rejected and withdrawn submissions."
    ),
    batch_size: int = _BATCH,
) -> None:
    """Import papercopilot paperlists files (see docs/import-format.md, docs/identity.md)."""
    _import(lambda: paperlists_sources(files, keep_rejected=keep_rejected), batch_size)


@import_app.command("jsonl")
def import_jsonl_command(
    files: list[Path] = typer.Argument(..., help="scholargraph JSON Lines files."),
    batch_size: int = _BATCH,
) -> None:
    """Import scholargraph JSON Lines files (see docs/import-format.md)."""
    _import(lambda: jsonl_sources(files), batch_size)


@import_app.command("openalex")
def import_openalex_command(
    files: list[Path] = typer.Argument(
        ..., help="OpenAlex works: API pages ({results: [...]}, .json) or snapshot .jsonl files."
    ),
    batch_size: int = _BATCH,
) -> None:
    """Import OpenAlex work records (see docs/import-format.md, docs/identity.md)."""
    _import(lambda: openalex_sources(files), batch_size)


def _actor(actor: str | None) -> str:
    if actor:
        return actor
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no user name in some containers
        return "cli"


@researchers_app.command("merge")
def researchers_merge(
    ids: list[str] = typer.Argument(..., help="Researcher ids to merge away."),
    into: str = typer.Option(..., "--into", help="The researcher id that remains."),
    reason: str = typer.Option("", help="Why; kept in the merge record."),
    actor: str | None = typer.Option(None, help="Who merges (default: cli:<user>)."),
) -> None:
    """Merge researchers into one; prints the merge id that `split` takes."""
    settings = Settings()

    async def work() -> MergeResult:
        async with open_store(settings) as store:
            return await merge_researchers(
                store, ids, into, actor=_actor(actor), reason=reason or "merged by hand"
            )

    result = run(work)
    typer.echo(
        f"{result.merge_id}: merged {', '.join(result.merged)} into {result.into} "
        f"({result.moved} relationships moved, {result.dropped} between them kept in the record)"
    )


@researchers_app.command("split")
def researchers_split(
    merge_id: str = typer.Argument(
        ..., metavar="MERGE_ID", help="A merge id, or a researcher id (its latest merge)."
    ),
    reason: str = typer.Option("", help="Why; kept in the merge record."),
    actor: str | None = typer.Option(None, help="Who splits (default: cli:<user>)."),
) -> None:
    """Undo a merge: restore the merged researchers and exactly the relationships it moved."""
    settings = Settings()

    async def work() -> SplitResult:
        async with open_store(settings) as store:
            return await split_researcher(store, merge_id, actor=_actor(actor), reason=reason)

    result = run(work)
    typer.echo(
        f"{result.merge_id}: restored {', '.join(result.restored)} from {result.into} "
        f"({result.relationships} relationships given back)"
    )
    for skipped in result.skipped:
        typer.echo(f"  not restored (far end no longer exists): {skipped}")


def main() -> None:
    app()


if __name__ == "__main__":
    main()

__all__ = ["app", "import_app", "main", "researchers_app"]
