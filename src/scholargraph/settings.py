"""Settings, read from SCHOLARGRAPH_* environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from platformdirs import user_data_dir
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

_REPO_SEEDS = Path(__file__).resolve().parents[2] / "seeds"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SCHOLARGRAPH_", extra="ignore")

    neo4j_uri: str | None = Field(
        None, description="Bolt/neo4j URI of a Neo4j 5 server; when set, Neo4j is the store."
    )
    neo4j_user: str = Field("neo4j", description="Neo4j user name.")
    neo4j_password: str = Field("", description="Neo4j password.")
    neo4j_database: str = Field("neo4j", description="Neo4j database name.")
    neo4j_max_pool_size: int = Field(
        100, ge=1, description="Most Bolt connections the API's one Neo4j driver keeps open."
    )
    neo4j_connection_timeout_s: float = Field(
        5.0, gt=0, description="Seconds to open a Bolt connection before the store is unreachable."
    )
    neo4j_acquisition_timeout_s: float = Field(
        30.0, gt=0, description="Seconds a request waits for a free pooled Neo4j connection."
    )
    falkordb_url: str | None = Field(
        None,
        description="redis:// or unix:// URL of a running FalkorDB; unset starts the bundled one.",
    )
    data_dir: Path = Field(
        Path(user_data_dir("scholargraph")),
        description="Data directory of the embedded FalkorDB (append-only persistence).",
    )
    graph: str = Field("scholargraph", description="Graph name inside FalkorDB.")
    seeds_dir: Path = Field(_REPO_SEEDS, description="Folder holding the seed transcriptions.")
    seed_on_start: bool = Field(
        True, description="Seed the graph at start-up when it holds no researcher yet."
    )
    store_pool_size: int = Field(
        16, ge=1, description="Most connections to FalkorDB; requests wait for a free one."
    )
    store_pool_timeout_s: float = Field(
        30.0, gt=0, description="Seconds a store call waits for a free FalkorDB connection."
    )
    query_timeout_ms: int = Field(
        10_000,
        ge=1,
        description="Deadline of one GraphQL request, in ms: its resolvers and store queries "
        "are cancelled past it (QUERY_TIMEOUT); also the timeout of one read query.",
    )
    max_query_depth: int = Field(12, description="Deepest GraphQL selection accepted.")
    max_body_bytes: int = Field(
        1_000_000, description="Largest request body (and GET query string) accepted, in bytes."
    )
    max_query_cost: int = Field(
        10_000, description="Most nodes one request may ask for (docs/cost.md); more is refused."
    )
    cost_budget_per_minute: int = Field(
        100_000,
        description="Query-cost points each client (account, else IP address) may spend a minute.",
    )
    persisted_queries_only: bool = Field(
        False,
        description="Serve only the operations of SCHOLARGRAPH_PERSISTED_QUERIES_FILE (an "
        "allow-list); others are refused with PERSISTED_QUERY_NOT_ALLOWED.",
    )
    persisted_queries_file: Path | None = Field(
        None,
        description="JSON file of registered operations: an Apollo persisted query manifest or "
        "a {sha256: query} object (docs/hardening.md).",
    )
    persisted_queries_max: int = Field(
        1_000, ge=0, description="Most queries Automatic Persisted Queries keeps per process (LRU)."
    )
    cache_max_age_s: int = Field(
        60,
        ge=0,
        description="max-age of GET query answers without errors or Authorization (CDN-cacheable); "
        "0 makes them uncacheable.",
    )
    response_cache_size: int = Field(
        1_000,
        ge=0,
        description="Answers to anonymous queries each worker keeps, valid until the next write "
        "to the store by any process (docs/scaling.md); 0 turns the cache off.",
    )
    workers: int = Field(
        1, ge=1, description="Worker processes `serve` runs (its --workers option overrides it)."
    )
    cors_origins: str = Field(
        "",
        description="Comma-separated origins whose pages may call the API from a browser "
        "(e.g. https://app.example.org); empty allows none, * allows any.",
    )
    log_level: str = Field("info", description="Log level of the API.")
    log_format: Literal["text", "json"] = Field(
        "text",
        description="Log lines as `text` for people or `json` objects for log collectors; "
        "both carry each request's request_id, and one access line per request names the "
        "GraphQL operation, status, duration and cost (docs/observability.md).",
    )
    metrics: bool = Field(
        True,
        description="Count Prometheus metrics and serve them at /metrics; with several worker "
        "processes set PROMETHEUS_MULTIPROC_DIR to an empty directory (docs/observability.md).",
    )


def describe() -> str:
    """One line per setting, for --help."""
    lines = []
    for name, field in Settings.model_fields.items():
        default = field.default
        lines.append(f"SCHOLARGRAPH_{name.upper()}: {field.description} (default: {default})")
    return "\n\n".join(lines)


__all__ = ["Settings", "describe"]
