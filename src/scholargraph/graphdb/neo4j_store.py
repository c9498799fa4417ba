"""Neo4j backend: the official async driver, one per process."""

from __future__ import annotations

import logging
from typing import Any

from neo4j import (
    AsyncDriver,
    AsyncGraphDatabase,
    AsyncManagedTransaction,
    Query,
    RoutingControl,
)
from neo4j.exceptions import AuthError, Neo4jError, ServiceUnavailable

from scholargraph.graphdb.dialects import NEO4J
from scholargraph.graphdb.store import Counters, Params, Row, StoreError, StoreUnavailable, plain

log = logging.getLogger(__name__)


class Neo4jStore:
    dialect = NEO4J

    def __init__(self, driver: AsyncDriver, database: str, timeout_ms: int = 10_000) -> None:
        self._driver = driver
        self._database = database
        self._timeout_s = timeout_ms / 1000
        self.counters = Counters()

    @classmethod
    async def connect(
        cls, uri: str, user: str, password: str, database: str, timeout_ms: int = 10_000
    ) -> Neo4jStore:
        driver = AsyncGraphDatabase.driver(uri, auth=(user, password))
        try:
            await driver.verify_connectivity()
        except (ServiceUnavailable, AuthError, OSError, ValueError) as exc:
            await driver.close()
            raise StoreUnavailable(f"cannot reach Neo4j at {uri}: {exc}") from exc
        return cls(driver, database, timeout_ms)

    async def read(self, query: str, params: Params | None = None) -> list[Row]:
        self.counters.reads += 1
        try:
            records, _, _ = await self._driver.execute_query(
                Query(query, timeout=self._timeout_s),
                dict(params or {}),
                database_=self._database,
                routing_=RoutingControl.READ,
            )
        except ServiceUnavailable as exc:
            raise StoreUnavailable(f"Neo4j is unreachable: {exc}") from exc
        except Neo4jError as exc:
            raise StoreError(str(exc)) from exc
        return [plain(record.data()) for record in records]

    async def write(self, query: str, params: Params | None = None) -> list[Row]:
        self.counters.writes += 1
        args: dict[str, Any] = dict(params or {})

        # Managed transactions retry on transient errors, so the work must consume its result.
        async def work(tx: AsyncManagedTransaction) -> list[Row]:
            result = await tx.run(query, args)
            return [plain(record.data()) async for record in result]

        try:
            async with self._driver.session(database=self._database) as session:
                return await session.execute_write(work)
        except ServiceUnavailable as exc:
            raise StoreUnavailable(f"Neo4j is unreachable: {exc}") from exc
        except Neo4jError as exc:
            raise StoreError(str(exc)) from exc

    async def ping(self) -> None:
        await self.read("RETURN 1 AS ok")

    async def compact(self) -> None:
        return None  # Neo4j's transaction logs and checkpoints need no help

    async def close(self) -> None:
        await self._driver.close()


__all__ = ["Neo4jStore"]
