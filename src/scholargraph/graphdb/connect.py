"""Open the configured store: Neo4j when SCHOLARGRAPH_NEO4J_URI is set, else embedded FalkorDB."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from scholargraph.graphdb import embedded
from scholargraph.graphdb.store import Store, StoreError
from scholargraph.settings import Settings

log = logging.getLogger(__name__)


async def ensure_schema(store: Store) -> None:
    """Create indexes and constraints; safe to run at every start-up."""
    for statement in store.dialect.schema:
        try:
            await store.define(statement)
        except StoreError as exc:
            if not any(marker in str(exc) for marker in store.dialect.already_exists):
                raise


@asynccontextmanager
async def open_store(settings: Settings, *, schema: bool = True) -> AsyncIterator[Store]:
    server: embedded.EmbeddedServer | None = None
    store: Store
    if settings.neo4j_uri:
        from scholargraph.graphdb.neo4j_store import DriverOptions, Neo4jStore

        store = await Neo4jStore.connect(
            settings.neo4j_uri,
            settings.neo4j_user,
            settings.neo4j_password,
            settings.neo4j_database,
            settings.query_timeout_ms,
            DriverOptions(
                max_pool_size=settings.neo4j_max_pool_size,
                connection_timeout_s=settings.neo4j_connection_timeout_s,
                acquisition_timeout_s=settings.neo4j_acquisition_timeout_s,
            ),
        )
    else:
        from scholargraph.graphdb.falkor_store import FalkorStore

        if settings.falkordb_url:
            store = FalkorStore.from_url(
                settings.falkordb_url,
                settings.graph,
                settings.query_timeout_ms,
                pool_size=settings.store_pool_size,
                pool_timeout_s=settings.store_pool_timeout_s,
            )
        else:
            server = embedded.start(settings.data_dir)
            store = FalkorStore.over_socket(
                str(server.socket),
                settings.graph,
                settings.query_timeout_ms,
                pool_size=settings.store_pool_size,
                pool_timeout_s=settings.store_pool_timeout_s,
            )
    try:
        await store.ping()
        if schema:
            await ensure_schema(store)
        yield store
    finally:
        await store.close()
        if server is not None:
            server.stop()


__all__ = ["ensure_schema", "open_store"]
