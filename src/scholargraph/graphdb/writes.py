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
from scholargraph.graphdb.model import ENTITY, Label, Rel, label_of
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
                "lists": {name: [] for name in (*UNION_LISTS, STATED_CITATIONS)},
            },
        )
        if row["label"] != node.label:
            raise ValueError(f"{node.id} is asserted as both {row['label']} and {node.label}")
        _merge_props(row["props"], node.props)
        for name in (*UNION_LISTS, STATED_CITATIONS):
            row["lists"][name] += [
                v for v in node.lists.get(name, []) if v not in row["lists"][name]
            ]
        if node.source not in row["sources"]:
            row["sources"].append(node.source)
    # Lists sit at the top of a row and empty ones are left out (the query reads a missing one
    # as []): FalkorDB's client spells every value of the parameters out as Cypher text, one
    # Python call per value, and that was most of the import's client time.
    out = []
    for row in combined.values():
        lists = row.pop("lists")
        out.append(row | {name: values for name, values in lists.items() if values})
    return out


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


# FalkorDB evaluates a SET against the values from before the query (a second SET in the same
# clause does not see the first), so derived properties repeat the expression they derive from.
_NODE_SET = f"""SET n += row.props,
    n.sources = {_union("n.sources", "row.sources")},
    n.aliases = {_union("n.aliases", "coalesce(row.aliases, [])")},
    n.externalIds = {_union("n.externalIds", "coalesce(row.externalIds, [])")},
    n.nameKeys = {_union("n.nameKeys", "coalesce(row.nameKeys, [])")},
    n.searchTerms = {_union("n.searchTerms", "coalesce(row.searchTerms, [])")},
    n.{STATED_CITATIONS} = CASE WHEN row.{STATED_CITATIONS} IS NULL THEN n.{STATED_CITATIONS}
                           ELSE {_union(f"n.{STATED_CITATIONS}", f"row.{STATED_CITATIONS}")} END,
    n.searchText = reduce(s = '', t IN {_union("n.searchTerms", "coalesce(row.searchTerms, [])")} |
                          s + ' ' + t)"""


def _node_section(label: Label, param: str) -> str:
    return (
        f"UNWIND ${param} AS row\n"
        f"MERGE (n:{ENTITY} {{id: row.id}})\n"
        f"SET n:{Label(label)}\n"
        f"{_NODE_SET}"
    )


def _edge_section(rel: Rel, param: str) -> str:
    return (
        f"UNWIND ${param} AS e\n"
        f"MATCH (a:{ENTITY} {{id: e.src}}), (b:{ENTITY} {{id: e.dst}})\n"
        f"MERGE (a)-[r:{Rel(rel)} {{key: e.key}}]->(b)\n"
        f"SET r += e.props, r.sources = {_union('r.sources', 'e.sources')}"
    )


def upsert_query(labels: Iterable[Label], rels: Iterable[Rel], *, watched: bool = False) -> str:
    """One query for a batch: a section per label and per relationship type present, each an
    UNWIND over its own parameter (`n0`, `n1`, ... then `e0`, `e1`, ...) naming its label or
    type from the model, so the engine plans one plain MERGE per row instead of evaluating a
    FOREACH branch per label (13) and per type (25) for every row. Every section's list is
    non-empty (only labels and types present get one), so `WITH count(*)` between sections
    passes exactly one row on, and the whole batch stays one query: atomic on both engines.

    `watched`: the batch adds works, talks or awards to researchers ($watch, $eventAt); those
    new for a researcher already in the graph become change-feed events in the same query,
    found before the MERGEs run."""
    sections = [_node_section(label, f"n{i}") for i, label in enumerate(labels)]
    sections += [_edge_section(rel, f"e{i}") for i, rel in enumerate(rels)]
    if not sections:
        raise ValueError("an upsert needs at least one label or relationship type")
    if not watched:
        return "\nWITH count(*) AS done\n".join(sections) + "\nRETURN count(*) AS done"
    body = "\nWITH fresh, count(*) AS done\n".join(sections)
    return (
        f"{events.FRESH_ADDITIONS}{body}\nWITH fresh, count(*) AS done"
        f"{events.emit('done', 'fresh', '$eventAt')}RETURN done"
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
    watch = events.watched(edge_rows)
    by_label: dict[Label, list[dict[str, Any]]] = {}
    for row in node_params(nodes):
        by_label.setdefault(Label(row.pop("label")), []).append(row)
    by_rel: dict[Rel, list[dict[str, Any]]] = {}
    for row in edge_rows:
        by_rel.setdefault(Rel(row.pop("type")), []).append(row)
    params: dict[str, Any] = {f"n{i}": rows for i, rows in enumerate(by_label.values())}
    params |= {f"e{i}": rows for i, rows in enumerate(by_rel.values())}
    if watch:
        params.update(watch=watch, eventAt=datetime.now(UTC).isoformat(timespec="microseconds"))
    await store.write(upsert_query(by_label, by_rel, watched=bool(watch)), params)
    # Every endpoint was checked above and edge rows are one per relationship identity, so
    # each row wrote (or matched) exactly one relationship.
    return sum(len(rows) for rows in by_rel.values())


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
    "upsert_query",
]
