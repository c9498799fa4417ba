"""Batch upserts of nodes and relationships: one query per batch, so one batch is atomic.

Both engines run a single query all-or-nothing, so a batch that fails leaves the graph as it
was. Labels and relationship types are chosen inside the query from the model's whitelist by
comparing a parameter, never by splicing caller text into Cypher.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from scholargraph.graphdb import events
from scholargraph.graphdb.model import ENTITY, LABEL_OF_PREFIX, Label, Rel, label_of
from scholargraph.graphdb.store import Store

# List properties that accumulate across sources instead of being overwritten.
UNION_LISTS: tuple[str, ...] = ("aliases", "externalIds", "nameKeys", "searchTerms")
# A union list only papers carry (JSON statements of citation counts, one per source and date);
# written only when a row brings some, so no other node gains an empty list.
STATED_CITATIONS = "statedCitations"


@dataclass(frozen=True)
class NodeRow:
    id: str
    label: Label
    source: str
    props: dict[str, Any] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)

    def check(self) -> None:
        label_of(self.id)  # refuse ids we could not serve back


@dataclass(frozen=True)
class EdgeRow:
    type: Rel
    src: str
    dst: str
    source: str
    key: str = ""
    props: dict[str, Any] = field(default_factory=dict)

    @property
    def identity(self) -> tuple[str, str, str, str]:
        return (self.type, self.src, self.dst, self.key)


def _merge_props(into: dict[str, Any], props: dict[str, Any]) -> None:
    into.update({k: v for k, v in props.items() if v is not None})


def node_params(nodes: Iterable[NodeRow]) -> list[dict[str, Any]]:
    """One parameter row per id: FalkorDB drops a SET on an entity MERGEd twice in one query,
    so every assertion of the same node in a batch is folded into one row here (later non-null
    values win; lists and sources are unions)."""
    combined: dict[str, dict[str, Any]] = {}
    for node in nodes:
        node.check()
        row = combined.setdefault(
            node.id,
            {
                "id": node.id,
                "label": str(node.label),
                "sources": [],
                "props": {},
                "lists": {name: [] for name in UNION_LISTS},
                "stated": [],
            },
        )
        if row["label"] != node.label:
            raise ValueError(f"{node.id} is asserted as both {row['label']} and {node.label}")
        _merge_props(row["props"], node.props)
        for name in UNION_LISTS:
            row["lists"][name] += [
                v for v in node.lists.get(name, []) if v not in row["lists"][name]
            ]
        row["stated"] += [
            v for v in node.lists.get(STATED_CITATIONS, []) if v not in row["stated"]
        ]
        if node.source not in row["sources"]:
            row["sources"].append(node.source)
    return list(combined.values())


def edge_params(edges: Iterable[EdgeRow]) -> list[dict[str, Any]]:
    """One parameter row per relationship identity, folded like `node_params`."""
    combined: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    for edge in edges:
        row = combined.setdefault(
            edge.identity,
            {
                "type": str(edge.type),
                "src": edge.src,
                "dst": edge.dst,
                "key": edge.key,
                "sources": [],
                "props": {},
            },
        )
        _merge_props(row["props"], edge.props)
        if edge.source not in row["sources"]:
            row["sources"].append(edge.source)
    return list(combined.values())


def _union(target: str, values: str) -> str:
    return (
        f"reduce(acc = coalesce({target}, []), v IN {values} | "
        f"CASE WHEN v IN acc THEN acc ELSE acc + v END)"
    )


def _label_setters() -> str:
    return "\n".join(
        f"  FOREACH (_ IN CASE WHEN row.label = '{label}' THEN [1] ELSE [] END | SET n:{label})"
        for label in LABEL_OF_PREFIX.values()
    )


def _edge_mergers() -> str:
    return "\n".join(
        f"FOREACH (_ IN CASE WHEN e.type = '{rel}' THEN [1] ELSE [] END |\n"
        f"  MERGE (a)-[r:{rel} {{key: e.key}}]->(b)\n"
        f"  SET r += e.props, r.sources = {_union('r.sources', 'e.sources')})"
        for rel in Rel
    )


# FalkorDB evaluates a SET against the values from before the query (a second SET in the same
# FOREACH does not see the first), so derived properties repeat the expression they derive from.
_NODES = f"""
FOREACH (row IN $nodes |
  MERGE (n:{ENTITY} {{id: row.id}})
  SET n += row.props,
      n.sources = {_union("n.sources", "row.sources")},
      n.aliases = {_union("n.aliases", "row.lists.aliases")},
      n.externalIds = {_union("n.externalIds", "row.lists.externalIds")},
      n.nameKeys = {_union("n.nameKeys", "row.lists.nameKeys")},
      n.searchTerms = {_union("n.searchTerms", "row.lists.searchTerms")},
      n.{STATED_CITATIONS} = CASE WHEN size(row.stated) = 0 THEN n.{STATED_CITATIONS}
                             ELSE {_union(f"n.{STATED_CITATIONS}", "row.stated")} END,
      n.searchText = reduce(s = '', t IN {_union("n.searchTerms", "row.lists.searchTerms")} |
                            s + ' ' + t)
{_label_setters()}
)
"""
_EDGES = f"""
UNWIND $edges AS e
MATCH (a:{ENTITY} {{id: e.src}}), (b:{ENTITY} {{id: e.dst}})
{_edge_mergers()}
"""
UPSERT = f"{_NODES}WITH 1 AS one{_EDGES}RETURN count(e) AS edges"
# The same, when the batch adds works, talks or awards to researchers: those that are new for
# a researcher already in the graph become change-feed events in the same query.
UPSERT_WATCHED = (
    f"{events.FRESH_ADDITIONS}{_NODES}WITH fresh{_EDGES}WITH fresh, count(e) AS edges"
    f"{events.emit('edges', 'fresh', '$eventAt')}RETURN edges"
)

T = TypeVar("T")


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


class MissingEndpoints(ValueError):
    pass


EXISTING = f"UNWIND $ids AS id MATCH (n:{ENTITY} {{id: id}}) RETURN n.id AS id"


async def existing_ids(store: Store, ids: Iterable[str]) -> set[str]:
    wanted = sorted(set(ids))
    if not wanted:
        return set()
    return {row["id"] for row in await store.read(EXISTING, {"ids": wanted})}


async def upsert(store: Store, nodes: Sequence[NodeRow], edges: Sequence[EdgeRow]) -> int:
    """Write one batch atomically; returns the number of relationships written.

    Relationships whose endpoints are neither in the batch nor in the graph are refused before
    anything is written (MissingEndpoints), so a bad batch leaves the graph untouched.
    """
    in_batch = {n.id for n in nodes}
    outside = {i for e in edges for i in (e.src, e.dst)} - in_batch
    missing = outside - await existing_ids(store, outside)
    if missing:
        raise MissingEndpoints(
            f"{len(missing)} relationship endpoints are unknown, e.g. {sorted(missing)[:3]}"
        )
    if not nodes and not edges:
        return 0
    edge_rows = edge_params(edges)
    params: dict[str, Any] = {"nodes": node_params(nodes), "edges": edge_rows}
    watch = events.watched(edge_rows)
    if watch:
        params.update(watch=watch, eventAt=datetime.now(UTC).isoformat(timespec="microseconds"))
    rows = await store.write(UPSERT_WATCHED if watch else UPSERT, params)
    return int(rows[0]["edges"]) if rows else 0


__all__ = [
    "STATED_CITATIONS",
    "UNION_LISTS",
    "EdgeRow",
    "MissingEndpoints",
    "NodeRow",
    "batched",
    "edge_params",
    "existing_ids",
    "node_params",
    "upsert",
]
