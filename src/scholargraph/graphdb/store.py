"""The interface every backend implements: run read and write Cypher, return plain rows."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

Row = dict[str, Any]
Params = Mapping[str, Any]


class StoreError(RuntimeError):
    """A database failure, with the engine's text kept for logs but never for clients."""


class StoreUnavailable(StoreError):
    pass


@dataclass
class Counters:
    reads: int = 0
    writes: int = 0

    @property
    def round_trips(self) -> int:
        return self.reads + self.writes


@dataclass
class Dialect:
    """The pieces of Cypher that differ between engines; everything else is shared text."""

    name: str
    # Idempotent schema set-up, run at start-up; errors containing `already_exists` are fine.
    schema: tuple[str, ...]
    already_exists: tuple[str, ...]
    # label -> query over that label's full-text index; $query, $limit in; id, terms, score out.
    fulltext: Mapping[str, str]
    # Folded search tokens -> one expression in the engine's full-text syntax (all must match).
    fulltext_expression: Callable[[list[str]], str]
    # $from, $to researcher ids; the literal `{max_rels}` is replaced by a bounded int; `ids` out.
    # Empty: the engine has no fast shortest path; explorer.py walks from both ends instead.
    shortest_path: str


class Store(Protocol):
    dialect: Dialect
    counters: Counters

    async def read(self, query: str, params: Params | None = None) -> list[Row]: ...

    async def write(self, query: str, params: Params | None = None) -> list[Row]: ...

    async def define(self, statement: str) -> None:
        """Run one schema statement (an index, a constraint): not data, so no write generation
        moves (Neo4j also refuses schema and data changes in one transaction)."""
        ...

    async def ping(self) -> None: ...

    async def compact(self) -> None:
        """Make what was written cheap to load again (after bulk writes); may be a no-op."""
        ...

    async def close(self) -> None: ...


def plain(value: Any) -> Any:
    """Engine values (ordered maps, nested lists) as builtin dicts and lists."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


__all__ = [
    "Counters",
    "Dialect",
    "Params",
    "Row",
    "Store",
    "StoreError",
    "StoreUnavailable",
    "plain",
]
