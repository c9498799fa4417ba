"""The ASGI app: Starlette routes, GraphQL at /graphql, health probes; lifespan owns the store."""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from scholargraph import auth, web
from scholargraph.graphdb.connect import open_store
from scholargraph.graphdb.store import Store, StoreError
from scholargraph.ingest import load
from scholargraph.resolvers.context import Context
from scholargraph.schema import build_schema
from scholargraph.settings import Settings

log = logging.getLogger(__name__)

REQUEST_ID_HEADER = "x-request-id"


def request_id_of(request: Request | WebSocket) -> str:
    given = request.headers.get(REQUEST_ID_HEADER, "")
    # Echo a caller's id only if it is short and plain, so it cannot poison the logs.
    if given and len(given) <= 64 and given.replace("-", "").isalnum():
        return given
    return uuid.uuid4().hex


class GraphQLApp(GraphQL[Context, None]):
    def __init__(self, store_of: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._store_of = store_of

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        store: Store = self._store_of(request)
        context = Context.for_request(store, request_id_of(request))
        context.extra["rate_limiter"] = auth.limiter_of(request.app.state)
        header = request.headers.get("authorization")
        if header is not None:
            # A refused token makes the request anonymous; mutations then report why.
            try:
                context.account = await auth.authenticate(store, header)
            except auth.InvalidToken as exc:
                context.extra["auth_error"] = str(exc)
        if isinstance(response, Response):
            response.headers[REQUEST_ID_HEADER] = context.request_id
        return context

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
            yield

    graphql = GraphQLApp(
        store_of=lambda request: request.app.state.store,
        schema=build_schema(max_depth=settings.max_query_depth),
        graphql_ide="graphiql",
        allow_queries_via_get=True,
    )
    app = Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            *web.routes(),
        ],
        lifespan=lifespan,
    )
    if store is not None:
        app.state.store = store  # usable without a lifespan run (tests, embedding)
    return app


__all__ = ["create_app"]
