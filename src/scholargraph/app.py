"""The ASGI app: Starlette routes, GraphQL at /graphql, health probes; lifespan owns the store."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import uuid
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket
from strawberry.schema import Schema
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from scholargraph import auth, headers, metrics, observe, response_cache, tracing, web
from scholargraph.budget import budget_for
from scholargraph.errors import StoreUnavailableError
from scholargraph.graphdb import generation
from scholargraph.graphdb.connect import open_store
from scholargraph.graphdb.store import Store, StoreError, StoreUnavailable
from scholargraph.ingest import load
from scholargraph.persisted import PersistedQueries, PersistedQueriesFileError, load_allow_list
from scholargraph.resolvers.context import Context
from scholargraph.resolvers.live import ChangeHub
from scholargraph.schema import build_schema
from scholargraph.schema.cost import client_of, over_budget, report
from scholargraph.schema.observe import OperationObserver, ResolverSpans
from scholargraph.settings import Settings
from scholargraph.subscriptions import GraphQLWebSocket
from scholargraph.transport import GraphQLEndpoint, Params

log = logging.getLogger(__name__)

REQUEST_ID_HEADER = "x-request-id"


def request_id_of(request: Request | WebSocket) -> str:
    given = request.headers.get(REQUEST_ID_HEADER, "")
    # Echo a caller's id only if it is short and plain, so it cannot poison the logs.
    if given and len(given) <= 64 and given.replace("-", "").isalnum():
        return given
    return uuid.uuid4().hex


async def context_of(request: HTTPConnection, authorization: str | None = None) -> Context:
    """The per-request context: the store, fresh loaders, the caller, the limits it spends.
    `authorization` stands for the header (a WebSocket's connection_init carries it)."""
    store: Store = request.app.state.store
    context = Context.for_request(store, request.state.request_id)
    context.extra["rate_limiter"] = auth.limiter_of(request.app.state)
    context.extra["cost_budget"] = request.app.state.cost_budget
    context.extra["client_address"] = request.client.host if request.client else None
    context.extra["changes"] = request.app.state.changes
    header = authorization or request.headers.get("authorization")
    if header is not None:
        # A refused token makes the request anonymous; mutations then report why.
        try:
            context.account = await auth.authenticate(store, header)
        except auth.InvalidToken as exc:
            context.extra["auth_error"] = str(exc)
    return context


def persisted_queries_of(settings: Settings) -> PersistedQueries:
    """APQ's store, with the allow-list file's operations (required in allow-list mode)."""
    allow_list = {}
    if settings.persisted_queries_file is not None:
        allow_list = load_allow_list(settings.persisted_queries_file)
    elif settings.persisted_queries_only:
        raise PersistedQueriesFileError(
            "SCHOLARGRAPH_PERSISTED_QUERIES_ONLY is set but SCHOLARGRAPH_PERSISTED_QUERIES_FILE "
            "is not: name the file of allowed operations"
        )
    return PersistedQueries(
        settings.persisted_queries_max, allow_list, only=settings.persisted_queries_only
    )


class GraphQLRoute(GraphQLEndpoint):
    def __init__(self, schema: Schema, settings: Settings) -> None:
        super().__init__(
            self._execute,
            max_body_bytes=settings.max_body_bytes,
            timeout_ms=settings.query_timeout_ms,
            persisted_queries=persisted_queries_of(settings),
            cache_max_age_s=settings.cache_max_age_s,
        )
        self._schema = schema
        self.cache = response_cache.ResponseCache(settings.response_cache_size)

    async def _execute(
        self, params: Params, request: Request, allowed: set[OperationType]
    ) -> ExecutionResult:
        with observe.execution(request) as observation:
            context = await context_of(request)
            context.extra["observation"] = observation
            try:
                result = await self._cached_or_run(params, request, context, allowed)
            finally:
                context.loaders.clear()
            observation.executed(result)
        return result

    async def _cached_or_run(
        self, params: Params, request: Request, context: Context, allowed: set[OperationType]
    ) -> ExecutionResult:
        key = generation_now = None
        if self.cache.size and params.query and "authorization" not in request.headers:
            key = response_cache.key_of(params.query, params.operation_name, params.variables)
            try:
                generation_now = await generation.current(context.store)
            except StoreUnavailable as exc:
                # The store's retries already took their time: answer now, before the budget
                # and the execution each wait as long again and the deadline passes.
                log.warning("store unavailable (request %s): %s", context.request_id, exc)
                problem = StoreUnavailableError(
                    "The graph store is unavailable; try again shortly.",
                    requestId=context.request_id,
                )
                return ExecutionResult(None, [problem])
            except StoreError:
                generation_now = None  # the execution will say what is wrong
        if key is None or generation_now is None:
            return await self._run_schema(params, context, allowed)
        entry = self.cache.get(key, generation_now)
        if entry is None:
            # Identical requests that miss together wait for one execution, instead of 32
            # clients computing the same answer at once on a cold cache.
            leader = self.cache.flight(key, generation_now)
            if leader is not None:
                entry = await asyncio.shield(leader)
        if entry is not None:
            return await self._cached(entry, context)
        result = None
        try:
            result = await self._run_schema(params, context, allowed)
        finally:
            if result is not None and result.data is not None and not result.errors and (
                response_cache.is_query(params.query or "", params.operation_name)
            ):  # fmt: skip
                cost = (result.extensions or {}).get("cost") or {}
                observation = context.extra.get("observation")
                entry = response_cache.Entry(
                    result.data,
                    int(cost.get("requested", 0)),
                    observation.operation if isinstance(observation, observe.Observation) else None,
                )
            self.cache.land(key, generation_now, entry)
        return result

    async def _run_schema(
        self, params: Params, context: Context, allowed: set[OperationType]
    ) -> ExecutionResult:
        return await self._schema.execute(
            params.query or "",
            variable_values=params.variables,
            context_value=context,
            operation_name=params.operation_name,
            allowed_operation_types=allowed,
            operation_extensions=params.extensions,
        )

    async def _cached(self, entry: response_cache.Entry, context: Context) -> ExecutionResult:
        """A kept answer, charged to the client's budget as its execution would have been."""
        # Counted and traced as the query it answers (only queries are kept).
        observe.operation_of(context, entry.operation, "query")
        budget = context.extra.get("cost_budget")
        client = client_of(context)
        if budget is None or client is None:
            return ExecutionResult(entry.data, None, {"cost": report(entry.requested, None)})
        spend = await budget.spend(client, entry.requested)
        extensions = {"cost": report(entry.requested, spend)}
        if not spend.allowed:
            return ExecutionResult(None, [over_budget(entry.requested, spend)], extensions)
        return ExecutionResult(entry.data, None, extensions)

    async def handle(self, request: Request) -> Response:
        # The outer observe.Observed gave it already; kept for the route used on its own.
        if not getattr(request.state, "request_id", None):
            request.state.request_id = request_id_of(request)
        response = await super().handle(request)
        if not response.headers.get("content-type", "").startswith("text/html"):
            observe.of(request).answered(response)
        response.headers[REQUEST_ID_HEADER] = request.state.request_id
        return response

    async def render_graphql_ide(self, request: Request) -> Response:
        return web.graphiql_page()


async def websocket_context_of(websocket: WebSocket, authorization: str | None) -> Context:
    """A subscription's context: as a request's, with the token from connection_init."""
    if not hasattr(websocket.state, "request_id"):
        websocket.state.request_id = request_id_of(websocket)
    return await context_of(websocket, authorization)


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    store: Store = request.app.state.store
    try:
        await store.ping()
    except StoreError:
        return JSONResponse({"status": "unavailable"}, status_code=503)
    return JSONResponse({"status": "ready", "store": store.dialect.name})


# The collector took 36% of the serving process (py-spy, issue 13): a 512-work profile still
# runs it ~90 times (gen0) and ~8 (gen1) per request at CPython's default threshold of 700,
# though nearly everything a request allocates is freed by reference counting. After start-up
# the heap that lives as long as the process (modules, schema, store clients) is frozen out of
# every scan, and gen0 waits for 50,000 net allocations (0 collections a request; the
# resident size stays within 1-2 MB of the default, measured in-process at 512 works).
GC_THRESHOLDS = (50_000, 20, 100)


def tune_gc() -> None:
    """Once the app is built and its store open: freeze what exists, collect less often."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def create_app(settings: Settings | None = None, store: Store | None = None) -> Starlette:
    """The app; with `store`, it uses that store and leaves opening and closing to the caller."""
    settings = settings or Settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            if store is not None:
                app.state.store = store
                yield
                return
            async with open_store(settings) as opened:
                if settings.seed_on_start and await load.is_empty(opened):
                    summary = await load.seed(opened, settings.seeds_dir)
                    log.info("seeded an empty graph: %s", summary)
                app.state.store = opened
                app.state.cost_budget = budget_for(opened, settings.cost_budget_per_minute)
                tune_gc()
                yield
        finally:
            await app.state.changes.close()  # its poller reads the store being closed

    tracing.configure()  # from OTEL_* variables, once per process; off when they are unset
    observers = (OperationObserver, ResolverSpans) if tracing.active() else (OperationObserver,)
    schema = build_schema(
        max_depth=settings.max_query_depth,
        max_cost=settings.max_query_cost,
        extra_extensions=observers,
    )
    metrics.enabled = settings.metrics
    metrics_route = [Route("/metrics", observe.metrics_endpoint)] if settings.metrics else []
    graphql = GraphQLRoute(schema, settings)
    app = Starlette(
        routes=[
            Route("/graphql", graphql),
            WebSocketRoute(
                "/graphql", GraphQLWebSocket(schema, websocket_context_of, settings.max_body_bytes)
            ),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            *metrics_route,
            *web.routes(),
        ],
        lifespan=lifespan,
        middleware=[
            Middleware(observe.Observed, request_id_of=request_id_of),
            *headers.middleware(settings.cors_origins),
        ],
    )
    app.state.response_cache = graphql.cache
    app.state.changes = ChangeHub()  # this process's change-feed poller (subscriptions)
    if store is not None:
        app.state.store = store  # usable without a lifespan run (tests, embedding)
        app.state.cost_budget = budget_for(store, settings.cost_budget_per_minute)
    return app


__all__ = ["GC_THRESHOLDS", "create_app", "tune_gc"]
