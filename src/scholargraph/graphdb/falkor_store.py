"""FalkorDB backend: the async client over the bundled server or a configured one.

Connections come from a bounded, blocking pool: under load a request waits for a free
connection (up to `pool_timeout_s`, and never past its deadline) instead of failing with redis-
py's "Too many connections". Reads pass the time left before the request's deadline to the
server as the query's TIMEOUT (graphdb/deadline.py), so the server stops them too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from falkordb.asyncio import FalkorDB
from falkordb.asyncio.query_result import QueryResult
from redis.asyncio import BlockingConnectionPool, UnixDomainSocketConnection
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError, ResponseError

from scholargraph.graphdb import deadline, generation
from scholargraph.graphdb.dialects import FALKORDB
from scholargraph.graphdb.instrument import RoundTrip
from scholargraph.graphdb.store import Counters, Params, Row, StoreError, StoreUnavailable, plain

log = logging.getLogger(__name__)

POOL_SIZE = 16
POOL_TIMEOUT_S = 30.0

# Cell types of FalkorDB's compact replies that are plain values (docs: result-set structure).
_NULL, _STRING, _INTEGER, _BOOLEAN, _DOUBLE, _ARRAY, _MAP = 1, 2, 3, 4, 5, 6, 10


class _Entity(Exception):
    """A reply holds nodes, edges, paths or dates, which only the client knows how to read."""


def _cell(cell: list[Any]) -> Any:
    # The falkordb client parses every cell in its own coroutine (it may look up label and
    # property names for nodes); the values our queries return need none of that.
    kind, value = cell
    if kind in (_STRING, _INTEGER):
        return value
    if kind == _NULL:
        return None
    if kind == _ARRAY:
        return [_cell(v) for v in value]
    if kind == _MAP:
        return {value[i]: _cell(value[i + 1]) for i in range(0, len(value), 2)}
    if kind == _BOOLEAN:
        return value == "true"
    if kind == _DOUBLE:
        return float(value)
    raise _Entity


def _rows(reply: list[Any]) -> list[Row] | None:
    """A compact reply's rows as dicts, or None when a cell needs the client's parser."""
    if len(reply) == 1:
        return []  # statistics only: the query returns nothing
    names = [column[1] for column in reply[0]]
    try:
        return [dict(zip(names, [_cell(c) for c in row], strict=True)) for row in reply[1]]
    except _Entity:
        return None


class FalkorStore:
    dialect = FALKORDB

    def __init__(self, client: FalkorDB, graph: str, timeout_ms: int = 10_000) -> None:
        self._client = client
        self._graph = client.select_graph(graph)
        self._timeout_ms = timeout_ms
        self.counters = Counters()
        self.graph_name = graph
        self._scripts: dict[str, Any] = {}

    @classmethod
    def over_socket(
        cls,
        path: str,
        graph: str,
        timeout_ms: int = 10_000,
        pool_size: int = POOL_SIZE,
        pool_timeout_s: float = POOL_TIMEOUT_S,
    ) -> FalkorStore:
        pool = BlockingConnectionPool(
            max_connections=pool_size,
            timeout=pool_timeout_s,
            connection_class=UnixDomainSocketConnection,
            path=path,
            decode_responses=True,
            socket_timeout=None,  # redis-py's default of 5 s would cut off long imports
        )
        return cls(FalkorDB(connection_pool=pool), graph, timeout_ms)

    @classmethod
    def from_url(
        cls,
        url: str,
        graph: str,
        timeout_ms: int = 10_000,
        pool_size: int = POOL_SIZE,
        pool_timeout_s: float = POOL_TIMEOUT_S,
    ) -> FalkorStore:
        # FalkorDB's own schemes name redis ones (falkor:// is redis://, falkors:// rediss://).
        for ours, theirs in (("falkor://", "redis://"), ("falkors://", "rediss://")):
            if url.startswith(ours):
                url = theirs + url[len(ours) :]
        pool = BlockingConnectionPool.from_url(
            url,
            max_connections=pool_size,
            timeout=pool_timeout_s,
            decode_responses=True,
            socket_timeout=None,  # redis-py's default of 5 s would cut off long imports
        )
        return cls(FalkorDB(connection_pool=pool), graph, timeout_ms)

    async def read(self, query: str, params: Params | None = None) -> list[Row]:
        self.counters.reads += 1
        with RoundTrip("falkordb", "read", query) as trip:
            rows = await self._run(query, params, read_only=True)
            trip.rows = len(rows)
        return rows

    async def write(self, query: str, params: Params | None = None) -> list[Row]:
        self.counters.writes += 1
        try:
            with RoundTrip("falkordb", "write", query) as trip:
                rows = await self._run(query, params, read_only=False)
                trip.rows = len(rows)
        except BaseException:
            # A failed write may still have changed something (a timeout, a lost reply).
            with contextlib.suppress(RedisError):
                await self.redis.incr(generation.falkor_key(self.graph_name))
            raise
        try:
            await self.redis.incr(generation.falkor_key(self.graph_name))
        except RedisError as exc:
            raise StoreUnavailable(f"FalkorDB is unreachable: {exc}") from exc
        return rows

    async def define(self, statement: str) -> None:
        self.counters.writes += 1
        with RoundTrip("falkordb", "write", statement):
            await self._run(statement, None, read_only=False)

    async def generation(self) -> str:
        """The write generation now (graphdb/generation.py)."""
        return str(await self.redis.get(generation.falkor_key(self.graph_name)) or 0)

    @property
    def redis(self) -> Any:
        """The redis client under the graph, for the API's own state (graphdb/limits.py)."""
        return self._client.connection

    def script(self, source: str) -> Any:
        """A Lua script on this store's pool, run by EVALSHA (EVAL once when not loaded)."""
        if source not in self._scripts:
            self._scripts[source] = self.redis.register_script(source)
        return self._scripts[source]

    async def _run(self, query: str, params: Params | None, *, read_only: bool) -> list[Row]:
        args: dict[str, Any] = dict(params or {})
        try:
            async with deadline.guarded() as within:
                command: list[Any] = [
                    "GRAPH.RO_QUERY" if read_only else "GRAPH.QUERY",
                    self._graph.name,
                    self._graph._build_params_header(args) + query,
                    "--compact",
                ]
                if read_only:
                    timeout = self._timeout_ms
                    if within is not None:
                        timeout = within.remaining_ms(cap=timeout)
                    command += ["timeout", timeout]
                reply = await self._graph.execute_command(*command)
                for part in (reply[0], reply[-1]):
                    if isinstance(part, ResponseError):
                        raise part
                rows = _rows(reply)
                if rows is None:
                    rows = await self._parsed_by_client(reply)
        except RedisConnectionError as exc:
            raise StoreUnavailable(f"FalkorDB is unreachable: {exc}") from exc
        except RedisError as exc:
            if read_only and "empty key" in str(exc):
                return []  # the graph has not been created yet: nothing to read
            if "timed out" in str(exc).lower():
                raise deadline.QueryTimeout(f"FalkorDB stopped the query: {exc}") from exc
            log.debug("FalkorDB refused %s: %s", query, exc)
            raise StoreError(str(exc)) from exc
        return rows

    async def _parsed_by_client(self, reply: list[Any]) -> list[Row]:
        result = QueryResult(self._graph)
        await result.parse(reply)
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
        # A client given its pool leaves the pool open; this store owns its pool.
        await self._client.connection.connection_pool.disconnect()


__all__ = ["FalkorStore"]
