"""FalkorDB backend: the async client over the bundled server or a configured one."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from falkordb.asyncio import FalkorDB
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError

from scholargraph.graphdb.dialects import FALKORDB
from scholargraph.graphdb.store import Counters, Params, Row, StoreError, StoreUnavailable, plain

log = logging.getLogger(__name__)


class FalkorStore:
    dialect = FALKORDB

    def __init__(self, client: FalkorDB, graph: str, timeout_ms: int = 10_000) -> None:
        self._client = client
        self._graph = client.select_graph(graph)
        self._timeout_ms = timeout_ms
        self.counters = Counters()

    @classmethod
    def over_socket(cls, path: str, graph: str, timeout_ms: int = 10_000) -> FalkorStore:
        return cls(FalkorDB(unix_socket_path=path), graph, timeout_ms)

    @classmethod
    def from_url(cls, url: str, graph: str, timeout_ms: int = 10_000) -> FalkorStore:
        return cls(FalkorDB.from_url(url), graph, timeout_ms)

    async def read(self, query: str, params: Params | None = None) -> list[Row]:
        self.counters.reads += 1
        return await self._run(query, params, read_only=True)

    async def write(self, query: str, params: Params | None = None) -> list[Row]:
        self.counters.writes += 1
        return await self._run(query, params, read_only=False)

    async def _run(self, query: str, params: Params | None, *, read_only: bool) -> list[Row]:
        args: dict[str, Any] = dict(params or {})
        try:
            if read_only:
                result = await self._graph.ro_query(query, args, timeout=self._timeout_ms)
            else:
                result = await self._graph.query(query, args)
        except RedisConnectionError as exc:
            raise StoreUnavailable(f"FalkorDB is unreachable: {exc}") from exc
        except RedisError as exc:
            if read_only and "empty key" in str(exc):
                return []  # the graph has not been created yet: nothing to read
            log.debug("FalkorDB refused %s: %s", query, exc)
            raise StoreError(str(exc)) from exc
        names = [column[1] for column in result.header]
        return [dict(zip(names, plain(row), strict=True)) for row in result.result_set]

    async def ping(self) -> None:
        try:
            await self._client.connection.ping()
        except RedisError as exc:
            raise StoreUnavailable(f"FalkorDB is unreachable: {exc}") from exc

    async def compact(self) -> None:
        # FalkorDB replays an append-only log query by query on start-up, and far slower than
        # the queries first ran (minutes after a full import); a rewrite turns it into a
        # snapshot that loads in well under a second.
        connection = self._client.connection
        try:
            await connection.execute_command("BGREWRITEAOF")
        except RedisError as exc:
            if "already in progress" not in str(exc):
                log.warning("could not compact the FalkorDB log: %s", exc)
                return
        for _ in range(6_000):  # 5 minutes at most
            info = await connection.info("persistence")
            if not info.get("aof_rewrite_in_progress") and not info.get("aof_rewrite_scheduled"):
                return
            await asyncio.sleep(0.05)
        log.warning("the FalkorDB log rewrite is still running; it finishes in the background")

    async def close(self) -> None:
        await self._client.aclose()


__all__ = ["FalkorStore"]
