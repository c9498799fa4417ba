"""The ASGI app: Starlette routes, GraphQL at /graphql, health probes; lifespan owns the store."""

from __future__ import annotations

import contextlib
import gc
import logging
import uuid
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.websockets import WebSocket
from strawberry.schema import Schema
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from scholargraph import auth, headers, web
from scholargraph.budget import InProcessBudget
from scholargraph.graphdb.connect import open_store
from scholargraph.graphdb.store import Store, StoreError
from scholargraph.ingest import load
from scholargraph.persisted import PersistedQueries, PersistedQueriesFileError, load_allow_list
from scholargraph.resolvers.context import Context
from scholargraph.schema import build_schema
from scholargraph.settings import Settings
from scholargraph.transport import GraphQLEndpoint, Params

log = logging.getLogger(__name__)

REQUEST_ID_HEADER = "x-request-id"


def request_id_of(request: Request | WebSocket) -> str:
    given = request.headers.get(REQUEST_ID_HEADER, "")
    # Echo a caller's id only if it is short and plain, so it cannot poison the logs.
    if given and len(given) <= 64 and given.replace("-", "").isalnum():
        return given
    return uuid.uuid4().hex


async def context_of(request: Request) -> Context:
    """The per-request context: the store, fresh loaders, the caller, the limits it spends."""
    store: Store = request.app.state.store
    context = Context.for_request(store, request.state.request_id)
    context.extra["rate_limiter"] = auth.limiter_of(request.app.state)
    context.extra["cost_budget"] = request.app.state.cost_budget
    context.extra["client_address"] = request.client.host if request.client else None
    header = request.headers.get("authorization")
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

    async def _execute(
        self, params: Params, request: Request, allowed: set[OperationType]
    ) -> ExecutionResult:
        return await self._schema.execute(
            params.query or "",
            variable_values=params.variables,
            context_value=await context_of(request),
            operation_name=params.operation_name,
            allowed_operation_types=allowed,
            operation_extensions=params.extensions,
        )

    async def handle(self, request: Request) -> Response:
        request.state.request_id = request_id_of(request)
        response = await super().handle(request)
        response.headers[REQUEST_ID_HEADER] = request.state.request_id
        return response

    async def render_graphql_ide(self, request: Request) -> Response:
        return web.graphiql_page()


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
        if store is not None:
            app.state.store = store
            yield
            return
        async with open_store(settings) as opened:
            if settings.seed_on_start and await load.is_empty(opened):
                summary = await load.seed(opened, settings.seeds_dir)
                log.info("seeded an empty graph: %s", summary)
            app.state.store = opened
            tune_gc()
            yield

    schema = build_schema(max_depth=settings.max_query_depth, max_cost=settings.max_query_cost)
    app = Starlette(
        routes=[
            Route("/graphql", GraphQLRoute(schema, settings)),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            *web.routes(),
        ],
        lifespan=lifespan,
        middleware=headers.middleware(settings.cors_origins),
    )
    app.state.cost_budget = InProcessBudget(settings.cost_budget_per_minute)
    if store is not None:
        app.state.store = store  # usable without a lifespan run (tests, embedding)
    return app


__all__ = ["GC_THRESHOLDS", "create_app", "tune_gc"]
