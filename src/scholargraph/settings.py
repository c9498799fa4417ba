"""Settings, read from SCHOLARGRAPH_* environment variables."""

from __future__ import annotations

from pathlib import Path

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
    query_timeout_ms: int = Field(10_000, description="Timeout of one read query.")
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
    log_level: str = Field("info", description="Log level of the API.")


def describe() -> str:
    """One line per setting, for --help."""
    lines = []
    for name, field in Settings.model_fields.items():
        default = field.default
        lines.append(f"SCHOLARGRAPH_{name.upper()}: {field.description} (default: {default})")
    return "\n\n".join(lines)


__all__ = ["Settings", "describe"]
