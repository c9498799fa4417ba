"""Batched reads behind the profile API: each takes many ids and costs one round trip."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from scholargraph import text
from scholargraph.graphdb.model import ENTITY, Label, Rel
from scholargraph.graphdb.store import Row, Store

Direction = Literal["out", "in"]

# Properties that exist for indexing and search only; clients never need them.
_INTERNAL = frozenset({"searchText", "searchTerms", "nameKeys"})


@dataclass(frozen=True)
class NodeRecord:
    id: str
    label: Label
    props: dict[str, Any]

    def get(self, key: str, default: Any = None) -> Any:
        return self.props.get(key, default)


@dataclass(frozen=True)
class EdgeRecord:
    """A relationship seen from `origin`: `other` is the node at the far end."""

    origin: str
    other: str
    props: dict[str, Any]


def _record(row: Row) -> NodeRecord:
    labels = [label for label in row["labels"] if label != ENTITY]
    props = {k: v for k, v in row["props"].items() if k not in _INTERNAL}
    return NodeRecord(row["id"], Label(labels[0]), props)


def record(row: Row) -> NodeRecord:
    """A node from a row with its `id`, `labels` and `props` (as `properties(n)` gives them)."""
    return _record(row)


# The batched reads below return one row of lists: both drivers pay per record (Neo4j's
# markedly: 512 papers' ~1,000 author edges as rows took ~4x as long as one row of lists).
_NODES = (
    f"UNWIND $ids AS id MATCH (n:{ENTITY} {{id: id}}) "
    "RETURN collect([n.id, labels(n), properties(n)]) AS rows"
)


async def nodes_by_ids(store: Store, ids: Sequence[str]) -> dict[str, NodeRecord]:
    if not ids:
        return {}
    rows = await store.read(_NODES, {"ids": sorted(set(ids))})
    return {
        node_id: _record({"id": node_id, "labels": labels, "props": props})
        for node_id, labels, props in rows[0]["rows"]
    }


_BY_NAME = (
    f"MATCH (n:{Label.RESEARCHER}) WHERE n.nameKey = $key OR $key IN n.nameKeys "
    "RETURN n.id AS id ORDER BY size(coalesce(n.sources, [])) DESC, n.id LIMIT 2"
)


async def researcher_id_by_name(store: Store, name: str) -> str | None:
    """The researcher whose name or an alias matches, folding case and diacritics."""
    key = text.name_key(name)
    if not key:
        return None
    rows = await store.read(_BY_NAME, {"key": key})
    return rows[0]["id"] if rows else None


def _neighbor_query(rel: Rel, direction: Direction) -> str:
    pattern = f"-[r:{rel}]->" if direction == "out" else f"<-[r:{rel}]-"
    return (
        f"UNWIND $ids AS id MATCH (a:{ENTITY} {{id: id}}){pattern}(b:{ENTITY}) "
        "RETURN collect([id, b.id, properties(r)]) AS rows"
    )


_NEIGHBOR_QUERIES = {
    (rel, direction): _neighbor_query(rel, direction) for rel in Rel for direction in ("out", "in")
}


async def neighbors(
    store: Store, ids: Sequence[str], rel: Rel, direction: Direction
) -> dict[str, list[EdgeRecord]]:
    """Every `rel` relationship of each id, in the given direction, grouped by origin."""
    found: dict[str, list[EdgeRecord]] = defaultdict(list)
    if ids:
        query = _NEIGHBOR_QUERIES[(rel, direction)]
        rows = await store.read(query, {"ids": sorted(set(ids))})
        for origin, other, props in rows[0]["rows"]:
            found[origin].append(EdgeRecord(origin, other, props))
    return found


def _linked_query(rel: Rel, direction: Direction) -> str:
    pattern = f"-[r:{rel}]->" if direction == "out" else f"<-[r:{rel}]-"
    # One row of lists rather than a row per edge: both drivers pay per record, and a far node
    # reached by many edges (a coauthor of every paper) comes back once.
    return (
        f"UNWIND $ids AS id MATCH (a:{ENTITY} {{id: id}}){pattern}(b:{ENTITY}) "
        "WITH collect([id, b.id, properties(r)]) AS edges, collect(DISTINCT b) AS far "
        "RETURN edges, [n IN far | [n.id, labels(n), properties(n)]] AS nodes"
    )


_LINKED_QUERIES = {
    (rel, direction): _linked_query(rel, direction) for rel in Rel for direction in ("out", "in")
}


async def linked(
    store: Store, ids: Sequence[str], rel: Rel, direction: Direction
) -> tuple[dict[str, list[EdgeRecord]], dict[str, NodeRecord]]:
    """`neighbors` and the nodes at their far ends (`nodes_by_ids` of them) in one round trip."""
    found: dict[str, list[EdgeRecord]] = defaultdict(list)
    far: dict[str, NodeRecord] = {}
    if ids:
        rows = await store.read(_LINKED_QUERIES[(rel, direction)], {"ids": sorted(set(ids))})
        for origin, other, props in rows[0]["edges"]:
            found[origin].append(EdgeRecord(origin, other, props))
        for node_id, labels, props in rows[0]["nodes"]:
            far[node_id] = _record({"id": node_id, "labels": labels, "props": props})
    return found, far


@dataclass(frozen=True)
class WorkRef:
    paper: str
    title: str
    year: int | None
    kinds: tuple[str, ...]


_WORKS = (
    f"UNWIND $ids AS rid MATCH (:{Label.RESEARCHER} {{id: rid}})-[:{Rel.AUTHORED}]->"
    f"(p:{Label.PAPER}) OPTIONAL MATCH (p)-[pub:{Rel.PUBLISHED_AT}]->() "
    "WITH rid, p, min(pub.year) AS year, collect(pub.kind) AS kinds "
    "RETURN collect([rid, p.id, p.title, year, kinds]) AS rows"
)


async def works(store: Store, ids: Sequence[str]) -> dict[str, list[WorkRef]]:
    """Each researcher's distinct papers, newest first, then by title."""
    found: dict[str, list[WorkRef]] = defaultdict(list)
    if ids:
        rows = await store.read(_WORKS, {"ids": sorted(set(ids))})
        for rid, paper, title, year, kinds in rows[0]["rows"]:
            found[rid].append(WorkRef(paper, title, year, tuple(sorted({k for k in kinds if k}))))
    for refs in found.values():
        refs.sort(key=lambda w: (-(w.year or 0), w.title.lower(), w.paper))
    return found


@dataclass(frozen=True)
class CollaboratorRef:
    researcher: str
    name: str
    papers: tuple[str, ...]
    last_year: int | None


_COAUTHORS = (
    f"UNWIND $ids AS rid MATCH (r:{Label.RESEARCHER} {{id: rid}})-[:{Rel.AUTHORED}]->"
    f"(p:{Label.PAPER})<-[:{Rel.AUTHORED}]-(c:{Label.RESEARCHER}) WHERE c.id <> rid "
    f"OPTIONAL MATCH (p)-[pub:{Rel.PUBLISHED_AT}]->() "
    "WITH rid, c, p, max(pub.year) AS year "
    "WITH rid, c, collect(p.id) AS papers, max(year) AS last "
    "RETURN collect([rid, c.id, c.name, papers, last]) AS rows"
)


async def collaborators(store: Store, ids: Sequence[str]) -> dict[str, list[CollaboratorRef]]:
    """Coauthors ranked by shared works, then the most recent shared year, then name."""
    found: dict[str, list[CollaboratorRef]] = defaultdict(list)
    if ids:
        rows = await store.read(_COAUTHORS, {"ids": sorted(set(ids))})
        for rid, cid, name, papers, last in rows[0]["rows"]:
            found[rid].append(CollaboratorRef(cid, name, tuple(sorted(set(papers))), last))
    for refs in found.values():
        refs.sort(key=lambda c: (-len(c.papers), -(c.last_year or 0), c.name.lower(), c.researcher))
    return found


_DEGREE_OUT = (
    "UNWIND $ids AS id MATCH (a:{entity} {{id: id}}) OPTIONAL MATCH (a)-[:{rel}]->(b) "
    "RETURN id, count(DISTINCT b) AS n"
)
_DEGREE_IN = (
    "UNWIND $ids AS id MATCH (a:{entity} {{id: id}}) OPTIONAL MATCH (a)<-[:{rel}]-(b) "
    "RETURN id, count(DISTINCT b) AS n"
)


async def degrees(
    store: Store, ids: Sequence[str], rel: Rel, direction: Direction
) -> dict[str, int]:
    """How many distinct nodes each id reaches over `rel` (OPTIONAL MATCH: zero counts too)."""
    if not ids:
        return {}
    template = _DEGREE_OUT if direction == "out" else _DEGREE_IN
    rows = await store.read(template.format(entity=ENTITY, rel=rel), {"ids": sorted(set(ids))})
    return {row["id"]: int(row["n"]) for row in rows}


_RESEARCHER_PAGE = (
    f"MATCH (n:{Label.RESEARCHER}) RETURN n.id AS id ORDER BY n.name, n.id SKIP $skip LIMIT $limit"
)
_RESEARCHER_COUNT = f"MATCH (n:{Label.RESEARCHER}) RETURN count(n) AS n"


async def researcher_page(store: Store, skip: int, limit: int) -> tuple[list[str], int]:
    rows = await store.read(_RESEARCHER_PAGE, {"skip": skip, "limit": limit})
    total = await store.read(_RESEARCHER_COUNT)
    return [row["id"] for row in rows], int(total[0]["n"])


__all__ = [
    "CollaboratorRef",
    "Direction",
    "EdgeRecord",
    "NodeRecord",
    "WorkRef",
    "collaborators",
    "degrees",
    "linked",
    "neighbors",
    "nodes_by_ids",
    "record",
    "researcher_id_by_name",
    "researcher_page",
    "works",
]
