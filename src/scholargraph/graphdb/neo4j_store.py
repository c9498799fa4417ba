"""Neo4j backend: the official async driver, one per process.

Reads go through `execute_query`, routed to readers; writes run as managed write transactions
(with the write generation's bump) that the driver retries on transient errors; both share the
driver's bookmark manager, so a read that follows a write sees it even on a cluster.
"""

from __future__ import annotations

import contextlib
import logging
import math
from collections.abc import Iterator
from dataclasses import dataclass

from neo4j import (
    AsyncDriver,
    AsyncGraphDatabase,
    AsyncManagedTransaction,
    NotificationMinimumSeverity,
    Query,
    Record,
    RoutingControl,
)
from neo4j.exceptions import (
    AuthError,
    ConfigurationError,
    DriverError,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
)
from neo4j.graph import Entity, Path

from scholargraph.graphdb import deadline, generation
from scholargraph.graphdb.dialects import NEO4J
from scholargraph.graphdb.instrument import RoundTrip
from scholargraph.graphdb.store import Counters, Params, Row, StoreError, StoreUnavailable, plain

log = logging.getLogger(__name__)

# The Cypher this project writes (CALL { WITH x }, indexes with IF NOT EXISTS, the full-text
# analyzer option) needs Neo4j 5; calendar versions (2025.x and later) carry on from 5.26.
_SUPPORTED = "Neo4j 5 or later (2025.x)"


class StoreVersionError(StoreError):
    """The server is not a Neo4j this project runs on."""


@dataclass(frozen=True)
class DriverOptions:
    """Pool and timeouts of the one driver a process holds (from settings)."""

    max_pool_size: int = 100
    connection_timeout_s: float = 5.0
    acquisition_timeout_s: float = 30.0
    # Long enough to ride out a cluster's leader switch; short enough that a request to a
    # Neo4j that is down answers STORE_UNAVAILABLE in seconds rather than hanging.
    max_retry_time_s: float = 5.0


def _unavailable(exc: Exception) -> bool:
    # A stopped or restarting server surfaces as any of these, depending on where the request
    # was when the connection broke.
    return isinstance(exc, ServiceUnavailable | SessionExpired | OSError) or (
        isinstance(exc, DriverError) and not isinstance(exc, ConfigurationError)
    )


@contextlib.contextmanager
def _mapped_errors() -> Iterator[None]:
    """The driver's failures as the Store's: a timeout, an outage, or another StoreError."""
    try:
        yield
    except Neo4jError as exc:
        if "TransactionTimedOut" in (exc.code or ""):
            raise deadline.QueryTimeout(f"Neo4j stopped the query: {exc.message}") from exc
        raise StoreError(str(exc)) from exc
    except Exception as exc:
        if _unavailable(exc):
            raise StoreUnavailable(f"Neo4j is unreachable: {_one_line(exc)}") from exc
        raise


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())


def supported_version(version: str) -> bool:
    try:
        major = int(version.split(".")[0])
    except ValueError:
        return False
    return major == 5 or major >= 2025


def _row(record: Record) -> Row:
    # The driver already gives maps as dicts and lists as lists; only graph entities (which no
    # query of ours returns at the top level, but a future one might) need data()'s walk.
    values = record.values()
    if any(isinstance(v, Entity | Path) for v in values):
        return dict(plain(record.data()))
    return dict(zip(record.keys(), values, strict=True))


class Neo4jStore:
    dialect = NEO4J

    def __init__(self, driver: AsyncDriver, database: str, timeout_ms: int = 10_000) -> None:
        self._driver = driver
        self._database = database
        self._timeout_s = timeout_ms / 1000
        self.counters = Counters()

    @classmethod
    async def connect(
        cls,
        uri: str,
        user: str,
        password: str,
        database: str,
        timeout_ms: int = 10_000,
        options: DriverOptions | None = None,
    ) -> Neo4jStore:
        options = options or DriverOptions()
        try:
            driver = AsyncGraphDatabase.driver(
                uri,
                auth=(user, password),
                max_connection_pool_size=options.max_pool_size,
                connection_timeout=options.connection_timeout_s,
                connection_acquisition_timeout=options.acquisition_timeout_s,
                max_transaction_retry_time=options.max_retry_time_s,
                # Notifications (unknown labels in a fresh graph, plan hints) are per query
                # noise for an API; they would be logged as warnings on every request.
                notifications_min_severity=NotificationMinimumSeverity.OFF,
            )
        except (ValueError, ConfigurationError) as exc:
            raise StoreUnavailable(f"not a Neo4j URI: {uri} ({exc})") from exc
        store = cls(driver, database, timeout_ms)
        try:
            await driver.verify_connectivity()
            await store.check_version()
        except (ServiceUnavailable, AuthError, OSError, ValueError, DriverError) as exc:
            await driver.close()
            # The driver's text spans lines; a start-up failure is reported in one.
            raise StoreUnavailable(f"cannot reach Neo4j at {uri}: {_one_line(exc)}") from exc
        except StoreError:
            await driver.close()
            raise
        return store

    async def check_version(self) -> str:
        rows = await self.read(
            "CALL dbms.components() YIELD name, versions RETURN name, versions[0] AS version"
        )
        versions = [str(r["version"]) for r in rows if r["name"] == "Neo4j Kernel"]
        version = versions[0] if versions else "unknown"
        if not supported_version(version):
            raise StoreVersionError(f"Neo4j {version} is not supported; run {_SUPPORTED}")
        return version

    async def _run(self, query: str, params: Params | None, routing: RoutingControl) -> list[Row]:
        # Reads answer requests and carry the query timeout (at most the time left before the
        # request's deadline); writes include seeding and bulk imports, which may rightly take
        # longer, so they run to the server's own limit.
        timeout = self._timeout_s if routing is RoutingControl.READ else None
        with _mapped_errors():
            async with deadline.guarded() as within:
                if timeout is not None and within is not None:
                    timeout = within.remaining_ms(cap=math.ceil(timeout * 1000)) / 1000
                records, _, _ = await self._driver.execute_query(
                    Query(query, timeout=timeout),
                    dict(params or {}),
                    database_=self._database,
                    routing_=routing,
                )
        return [_row(record) for record in records]

    async def _write_and_bump(self, query: str, params: Params | None) -> list[Row]:
        """The write and the write generation's bump in one managed transaction: both or
        neither commit, in one round of commits (the bump used to be a transaction of its
        own after every write)."""

        async def work(tx: AsyncManagedTransaction) -> list[Record]:
            records = [record async for record in await tx.run(query, dict(params or {}))]
            await (await tx.run(generation.NEO4J_BUMP)).consume()
            return records

        with _mapped_errors():
            async with (
                deadline.guarded(),
                self._driver.session(
                    database=self._database,
                    # The bookmarks execute_query's reads follow, so they see this write.
                    bookmark_manager=self._driver.execute_query_bookmark_manager,
                ) as session,
            ):
                records = await session.execute_write(work)
        return [_row(record) for record in records]

    async def read(self, query: str, params: Params | None = None) -> list[Row]:
        self.counters.reads += 1
        with RoundTrip("neo4j", "read", query) as trip:
            rows = await self._run(query, params, RoutingControl.READ)
            trip.rows = len(rows)
        return rows

    async def write(self, query: str, params: Params | None = None) -> list[Row]:
        self.counters.writes += 1
        with RoundTrip("neo4j", "write", query) as trip:
            rows = await self._write_and_bump(query, params)
            trip.rows = len(rows)
        return rows

    async def define(self, statement: str) -> None:
        self.counters.writes += 1
        with RoundTrip("neo4j", "write", statement):
            await self._run(statement, None, RoutingControl.WRITE)

    async def generation(self) -> str:
        """The write generation now (graphdb/generation.py)."""
        rows = await self.bookkeeping(generation.NEO4J_READ, {}, write=False)
        return str(rows[0]["value"]) if rows else "0"

    async def bookkeeping(self, query: str, params: Params | None, *, write: bool) -> list[Row]:
        """A query on the API's own state (rate buckets, the write generation): neither
        counted as a round trip of a request nor bumping the write generation."""
        routing = RoutingControl.WRITE if write else RoutingControl.READ
        return await self._run(query, params, routing)

    async def ping(self) -> None:
        await self.read("RETURN 1 AS ok")

    async def compact(self) -> None:
        return None  # Neo4j's transaction logs and checkpoints need no help

    async def close(self) -> None:
        await self._driver.close()


__all__ = ["DriverOptions", "Neo4jStore", "StoreVersionError", "supported_version"]
